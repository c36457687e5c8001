using Capacity.Application.Common.Messaging;
using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Application.Common.Caching;

/// <summary>
/// Removes cache entries by tag after a change, on this instance at once and on the others as the command's
/// <see cref="CacheTagDelivery"/> says (decision 007):
/// <list type="bullet">
/// <item><see cref="CacheTagDelivery.Durable"/>: FusionCache's RemoveByTag — the tag's timestamp goes to L2 and the
/// backplane (in the background), remembered there for the tag entries' duration (days).</item>
/// <item><see cref="CacheTagDelivery.Batched"/>: a tag timestamp in this instance's memory only (no Redis command),
/// remembered for <see cref="CachingOptions.TagMemoryDuration"/>, and <see cref="ITagBroadcast"/> carries the tags
/// of many changes to the other instances in one message. An entry another instance reads from Redis (L2) before
/// the broadcast reached it can be at most its own duration old (5 s for usage), the same bound as a change made
/// outside the API.</item>
/// </list>
/// </summary>
public sealed class TagInvalidator(IFusionCache cache, IOptions<CachingOptions> options, ITagBroadcast? broadcast = null)
{
    // The tag's timestamp lives in this instance's memory only (no Redis write, no backplane message).
    private readonly FusionCacheEntryOptions _removeLocally = LocalOnly(options.Value.TagMemoryDuration);

    /// <summary>
    /// How long this instance remembers a batched invalidation (<see cref="CachingOptions.TagMemoryDuration"/>): at
    /// least as long as any tagged entry stays fresh, because an entry written before the invalidation must not look
    /// fresh again once the memory is gone. The caching behavior refuses a tagged query cached longer.
    /// </summary>
    public TimeSpan MemoryDuration => _removeLocally.Duration;

    public async ValueTask InvalidateAsync(string tag, CacheTagDelivery delivery = CacheTagDelivery.Durable)
    {
        if (delivery == CacheTagDelivery.Batched)
        {
            await cache.RemoveByTagAsync(tag, _removeLocally).ConfigureAwait(false);
            broadcast?.Publish(tag);
        }
        else
        {
            // The cache's tag options: L1 at once; L2 write and backplane message in the background.
            await cache.RemoveByTagAsync(tag).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The entry options of an invalidation kept in this instance's memory only, remembered for
    /// <paramref name="memory"/> (what a batched invalidation and a received broadcast use).
    /// </summary>
    public static FusionCacheEntryOptions LocalOnly(TimeSpan memory) => new FusionCacheEntryOptions(memory)
        .SetSkipDistributedCache(true, true)
        .SetSkipBackplaneNotifications(true);
}

/// <summary>Tells the other instances which tags to invalidate in their memory caches.</summary>
public interface ITagBroadcast
{
    /// <summary>Queues the tag for the next broadcast; never waits for, nor fails because of, Redis.</summary>
    void Publish(string tag);
}
