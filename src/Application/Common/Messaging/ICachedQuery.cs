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
}

/// <inheritdoc cref="ICachedQuery"/>
public interface ICachedQuery<out TResponse> : IQuery<TResponse>, ICachedQuery;

/// <summary>
/// A cached query whose answer commands write into its entry (<see cref="IWritesThroughCache{TResponse}"/>). Its load,
/// once it has read the database, looks at the entry again: a value written (or read) after the load began is answered
/// instead of the load's own, possibly older, one. That costs one more cache read per miss, so only such queries pay it.
/// </summary>
public interface IWrittenThroughQuery : ICachedQuery;

/// <inheritdoc cref="IWrittenThroughQuery"/>
public interface IWrittenThroughQuery<out TResponse> : ICachedQuery<TResponse>, IWrittenThroughQuery;
