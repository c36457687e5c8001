using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Application.Common.Caching;

/// <summary>
/// Removes cache entries by tag after a change: at once in this instance's memory cache, and on every other
/// instance through <see cref="ITagBroadcast"/> (Redis pub/sub, in batches) when one is configured.
/// The removal itself never touches Redis: an invalidation is a tag timestamp in memory, so a claim costs no
/// Redis round trip for it, and the broadcast carries the tags of many claims in one message (decision 007
/// measures this against FusionCache's own RemoveByTag through the backplane). An entry another instance reads
/// from Redis (L2) before any broadcast reached it can be at most its own duration old (5 s for usage), the same
/// bound as a change made outside the API.
/// </summary>
public sealed class TagInvalidator(IFusionCache cache, IOptions<CachingOptions> options, ITagBroadcast? broadcast = null)
{
    // The tag's timestamp lives in this instance's memory only (no Redis write, no backplane message).
    private readonly FusionCacheEntryOptions _removeLocally = LocalOnly(options.Value.TagMemoryDuration);

    /// <summary>
    /// How long this instance remembers that a tag was invalidated (<see cref="CachingOptions.TagMemoryDuration"/>):
    /// at least as long as any tagged entry stays fresh, because an entry written before the invalidation must not
    /// look fresh again once the memory is gone. The caching behavior refuses a tagged query cached longer.
    /// </summary>
    public TimeSpan MemoryDuration => _removeLocally.Duration;

    public async ValueTask InvalidateAsync(string tag)
    {
        await cache.RemoveByTagAsync(tag, _removeLocally).ConfigureAwait(false);
        broadcast?.Publish(tag);
    }

    /// <summary>
    /// The entry options of an invalidation kept in this instance's memory only, remembered for
    /// <paramref name="memory"/> (what <see cref="InvalidateAsync"/> and a received broadcast use).
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
