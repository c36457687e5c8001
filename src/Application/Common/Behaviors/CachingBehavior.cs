using Capacity.Application.Common.Caching;
using Capacity.Application.Common.Messaging;
using Capacity.Application.Common.Metrics;
using Capacity.Domain.Common;
using Mediator;
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
public sealed class CachingBehavior<TMessage, TResponse>(
    IFusionCache cache, TagInvalidator invalidator, OperationMonitor monitor, CacheAreaStatistics areas, TimeProvider clock)
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
                    var value = new CachedValue<TResponse>(await next(message, ct), clock.GetUtcNow());
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
        if (message is IInvalidatesCache<TResponse> invalidates && (result as IOutcome)?.Error is null)
        {
            foreach (var tag in invalidates.CacheTagsToInvalidate(result))
            {
                await invalidator.InvalidateAsync(tag, invalidates.TagDelivery);
            }
        }

        return result;
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

            options = cache.CreateEntryOptions(duration: duration);
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
