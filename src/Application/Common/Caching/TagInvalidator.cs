using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Application.Common.Caching;

/// <summary>
/// Removes cache entries by tag after a change: at once in this instance's memory cache, and on every other
/// instance through <see cref="ITagBroadcast"/> (Redis pub/sub, in batches) when one is configured.
/// The removal itself never touches Redis: an invalidation is a tag timestamp in memory, so a claim costs no
/// Redis round trip for it, and the broadcast carries the tags of many claims in one message. An entry
/// another instance reads from Redis (L2) before any broadcast reached it can be at most its own duration
/// old (5 s for usage), the same bound as a change made outside the API.
/// </summary>
public sealed class TagInvalidator(IFusionCache cache, ITagBroadcast? broadcast = null)
{
    /// <summary>
    /// How long this instance remembers that a tag was invalidated: at least as long as any tagged entry stays
    /// fresh (<see cref="Behaviors.CachingBehavior{TMessage, TResponse}"/> refuses a tagged query cached longer),
    /// because an entry written before the invalidation must not look fresh again once the memory is gone.
    /// </summary>
    public static readonly TimeSpan TagMemoryDuration = TimeSpan.FromHours(1);

    // The tag's timestamp lives in this instance's memory only (no Redis write, no backplane message).
    private static readonly FusionCacheEntryOptions RemoveLocally = new FusionCacheEntryOptions(TagMemoryDuration)
        .SetSkipDistributedCache(true, true)
        .SetSkipBackplaneNotifications(true);

    public async ValueTask InvalidateAsync(string tag)
    {
        await RemoveLocallyAsync(cache, tag).ConfigureAwait(false);
        broadcast?.Publish(tag);
    }

    /// <summary>Invalidates the tag in this instance's memory cache only (what a received broadcast does).</summary>
    public static ValueTask RemoveLocallyAsync(IFusionCache cache, string tag) => cache.RemoveByTagAsync(tag, RemoveLocally);
}

/// <summary>Tells the other instances which tags to invalidate in their memory caches.</summary>
public interface ITagBroadcast
{
    /// <summary>Queues the tag for the next broadcast; never waits for, nor fails because of, Redis.</summary>
    void Publish(string tag);
}
