using Mediator;

namespace Capacity.Application.Common.Messaging;

/// <summary>
/// A query whose result is read through the cache by <c>CachingBehavior</c>: stale values are served
/// (fail-safe) when the handler fails or the database breaker is open.
/// </summary>
public interface ICachedQuery
{
    /// <summary>Unique key of this query's result.</summary>
    string CacheKey { get; }

    /// <summary>How long a result stays fresh.</summary>
    TimeSpan CacheDuration { get; }

    /// <summary>Tags that commands name to invalidate this entry.</summary>
    IReadOnlyCollection<string> CacheTags { get; }

    /// <summary>
    /// A command writes this query's answer into its entry (<see cref="IWritesThroughCache{TResponse}"/>). Then a load
    /// that finds, once it has read the database, a value in the cache read or written after it began, answers that
    /// value instead of its own (older) one. That costs one more cache read per miss, so only such queries pay it.
    /// </summary>
    bool IsWrittenThrough => false;
}

/// <inheritdoc cref="ICachedQuery"/>
public interface ICachedQuery<out TResponse> : IQuery<TResponse>, ICachedQuery;
