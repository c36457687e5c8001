namespace Capacity.Application.Common.Messaging;

/// <summary>
/// A command that changes what cached queries show. After the handler succeeds, <c>CachingBehavior</c>
/// removes every entry carrying one of the returned tags, on this instance at once and on the others as
/// <see cref="TagDelivery"/> says. The response is passed in because some commands learn what they changed
/// only by doing it (ending a session reveals its code).
/// </summary>
public interface IInvalidatesCache<in TResponse>
{
    IEnumerable<string> CacheTagsToInvalidate(TResponse response);

    /// <summary>
    /// How the invalidation reaches the other instances (decision 007). <see cref="CacheTagDelivery.Durable"/> unless
    /// the feature's cache class says otherwise; every command naming the same tag family declares the same delivery.
    /// Implement it explicitly, so that it never becomes part of the request's JSON.
    /// </summary>
    CacheTagDelivery TagDelivery => CacheTagDelivery.Durable;
}

/// <summary>How a tag invalidation reaches the other instances (decision 007).</summary>
public enum CacheTagDelivery
{
    /// <summary>
    /// FusionCache's own RemoveByTag: the tag's timestamp is written to Redis (L2) and announced on the backplane,
    /// which re-sends it after a Redis outage; it costs three Redis commands per invalidation. For entries cached
    /// long (minutes to hours) whose changes are rare.
    /// </summary>
    Durable,

    /// <summary>
    /// In this instance's memory, and to the others in the batched tag broadcast (many invalidations per Redis
    /// message, none re-sent after an outage: a missed one shows until the entry expires). For changes at claim rate
    /// on entries cached seconds.
    /// </summary>
    Batched,
}
