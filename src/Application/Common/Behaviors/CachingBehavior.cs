using Capacity.Application.Common.Caching;
using Capacity.Application.Common.Messaging;
using Capacity.Application.Common.Metrics;
using Capacity.Application.Common.Resilience;
using Capacity.Domain.Common;
using Mediator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly.CircuitBreaker;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Application.Common.Behaviors;

/// <summary>
/// Reads <see cref="ICachedQuery"/> requests through FusionCache (stampede protection, fail-safe stale
/// values, soft factory timeout: see <see cref="CachingOptions"/>) and, after a successful
/// <see cref="IInvalidatesCache{TResponse}"/> command, removes the entries carrying its tags (delivered to the other
/// instances as the command's <see cref="CacheTagDelivery"/> says).
/// It sits outside the circuit breaker: a fresh hit never asks the breaker, and an open breaker makes
/// the factory fail so that fail-safe serves the last value.
/// </summary>
public sealed partial class CachingBehavior<TMessage, TResponse>(
    IFusionCache cache,
    TagInvalidator invalidator,
    CacheWriteThrough writeThrough,
    OperationMonitor monitor,
    CacheAreaStatistics areas,
    TimeProvider clock,
    ILogger<CachingBehavior<TMessage, TResponse>>? logger = null,
    IDatabaseFaults? faults = null)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private FusionCacheEntryOptions? _entryOptions;

    public async ValueTask<TResponse> Handle(
        TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        if (message is ICachedQuery query)
        {
            // readNow: the handler ran and answered (a miss); when it ran but failed or timed out and fail-safe served
            // the last value anyway, the value's age tells it is stale.
            var ranHandler = false;
            var readNow = false;
            var cached = await cache.GetOrSetAsync<CachedValue<TResponse>>(
                query.CacheKey,
                async (_, ct) =>
                {
                    ranHandler = true;
                    var started = clock.GetUtcNow();
                    TResponse answer;
                    try
                    {
                        answer = await next(message, ct);
                    }
                    catch (Exception e) when (IsUnexpected(e, ct))
                    {
                        // FusionCache logs factory errors at Debug (an outage would flood the log): a bug is logged here.
                        LogLoadFailed(logger ?? (ILogger)NullLogger.Instance, e, RequestName<TMessage>.Value);
                        throw;
                    }

                    var value = new CachedValue<TResponse>(answer, clock.GetUtcNow());
                    if (query is IWrittenThroughQuery)
                    {
                        value = await NewerWrittenAsync(query, started, ct) ?? value;
                    }

                    readNow = true;
                    return value;
                },
                default,
                EntryOptions(query),
                query.CacheTags,
                cancellationToken);
            RecordLookup(hit: !ranHandler);
            areas.Served(query.CacheKey, cached, readNow, refreshFailed: ranHandler && !readNow, query.CacheDuration, clock.GetUtcNow());
            if (readNow)
            {
                areas.RecordSize(query.CacheKey, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(cached.Value).LongLength);
            }

            return cached.Value;
        }

        var result = await next(message, cancellationToken);
        if ((result as IOutcome)?.Error is null)
        {
            // Written before the invalidations: what is rebuilt after a removal (a card from its member) must find the
            // written value, on this instance and, as the backplane delivers them in order, on the others.
            if (message is IWritesThroughCache<TResponse> writes)
            {
                await writeThrough.WriteAsync(RequestName<TMessage>.Value, writes.CachedQueriesAnswered(result), result);
            }

            if (message is IInvalidatesCache<TResponse> invalidates)
            {
                foreach (var tag in invalidates.CacheTagsToInvalidate(result))
                {
                    await invalidator.InvalidateAsync(tag, invalidates.TagDelivery);
                }
            }
        }

        return result;
    }

    /// <summary>Not the database being unavailable (the breaker's news), nor the request being cancelled.</summary>
    private bool IsUnexpected(Exception e, CancellationToken cancellationToken) =>
        e is not BrokenCircuitException
        && !(e is OperationCanceledException && cancellationToken.IsCancellationRequested)
        && faults?.IsUnavailable(e) != true;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Request} failed to load its answer; the last value is served while fail-safe has one.")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, string request);

    /// <summary>
    /// The value a command wrote through (or another load read) after this load began, if the cache holds one: this
    /// load may have read the row before the command changed it, and must not put the older value back over it.
    /// </summary>
    private async ValueTask<CachedValue<TResponse>?> NewerWrittenAsync(ICachedQuery query, DateTimeOffset started, CancellationToken cancellationToken)
    {
        var current = await cache.TryGetAsync<CachedValue<TResponse>>(query.CacheKey, token: cancellationToken);
        return current.HasValue && current.Value.ReadAt >= started ? current.Value : null;
    }

    /// <summary>
    /// The cache's defaults with the query's duration, built once per request type (the behavior is a
    /// singleton per type) instead of copied on every read.
    /// </summary>
    private FusionCacheEntryOptions EntryOptions(ICachedQuery query)
    {
        var duration = query.CacheDuration;
        var options = _entryOptions;
        if (options is null || options.Duration != duration)
        {
            // Checked when the options are built (once per request type and duration), not on every read: an
            // invalidation is remembered for the tag memory, so a tagged entry fresh for longer could come back.
            if (duration > invalidator.MemoryDuration && query.CacheTags.Count > 0)
            {
                throw new InvalidOperationException(
                    $"{RequestName<TMessage>.Value} is cached for {duration} with tags, longer than tag invalidations are " +
                    $"remembered ({invalidator.MemoryDuration}): raise {CachingOptions.TagMemoryDurationSetting} to at least {duration}.");
            }

            options = CacheWriteThrough.EntryOptions(cache, duration);

            // A read that fills an entry tells no other instance (no backplane message per miss): nothing changed, and
            // what a change writes or removes is announced by the change (write-through, tag removal).
            options.SkipBackplaneNotifications = true;
            _entryOptions = options;
        }

        return options;
    }

    private void RecordLookup(bool hit)
    {
        CapacityMetrics.CacheLookups.Add(1, new("request", RequestName<TMessage>.Value), new("result", hit ? "hit" : "miss"));
        monitor.CacheLookup(RequestName<TMessage>.Value, hit);
    }
}
