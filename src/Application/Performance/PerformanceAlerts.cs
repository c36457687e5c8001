using Capacity.Application.Common.Metrics;

namespace Capacity.Application.Performance;

/// <summary>Turns an operation's figures into alerts by the configured thresholds.</summary>
public static class PerformanceAlerts
{
    public static IEnumerable<Alert> For(string operation, WindowStats? stats, int inFlight, PerformanceOptions thresholds)
    {
        if (stats is not null && stats.AverageMs > thresholds.SlowAverageMs)
        {
            yield return new Alert(operation, "slow", $"Average {stats.AverageMs:0.#} ms is above {thresholds.SlowAverageMs:0.#} ms.", stats.AverageMs, thresholds.SlowAverageMs);
        }

        if (stats is not null && stats.SuccessRate < thresholds.MinSuccessRate)
        {
            yield return new Alert(operation, "failing", $"Success rate {stats.SuccessRate:P1} is below {thresholds.MinSuccessRate:P1}.", stats.SuccessRate, thresholds.MinSuccessRate);
        }

        if (inFlight > thresholds.MaxConcurrency)
        {
            yield return new Alert(operation, "concurrency", $"{inFlight} requests in flight, above {thresholds.MaxConcurrency}.", inFlight, thresholds.MaxConcurrency);
        }
    }
}

/// <param name="Kind">"slow", "failing" or "concurrency".</param>
/// <summary>The alerts about the instance as a whole (seed 002's set): the database pool, the cache, the request queue.</summary>
public static class SystemAlerts
{
    public const string Instance = "*";

    public static IEnumerable<Alert> For(
        PoolFigures? pool, IEnumerable<(string Query, long Hits, long Misses)> cacheLookups, QueueFigures queue, PerformanceOptions thresholds)
    {
        if (pool is not null && pool.Utilization > thresholds.MaxPoolUtilization)
        {
            yield return new Alert(Instance, "database-pool",
                $"{pool.Busy} of {pool.Max} database connections in use ({pool.Utilization:P0}), above {thresholds.MaxPoolUtilization:P0}.",
                pool.Utilization, thresholds.MaxPoolUtilization);
        }

        foreach (var (query, hits, misses) in cacheLookups)
        {
            var lookups = hits + misses;
            var rate = lookups == 0 ? 1 : (double)hits / lookups;
            if (lookups >= thresholds.MinCacheLookups && rate < thresholds.MinCacheHitRate)
            {
                yield return new Alert(query, "cache-hit-rate",
                    $"Cache hit rate {rate:P1} over {lookups} lookups is below {thresholds.MinCacheHitRate:P0}.", rate, thresholds.MinCacheHitRate);
            }
        }

        if (queue.Enabled && queue.Fill > thresholds.MaxQueueFill)
        {
            yield return new Alert(Instance, "request-queue",
                $"{queue.Queued} of {queue.MaxQueued} places of the request queue taken ({queue.Fill:P0}), above {thresholds.MaxQueueFill:P0}.",
                queue.Fill, thresholds.MaxQueueFill);
        }
    }
}

public sealed record Alert(string Operation, string Kind, string Message, double Value, double Threshold);
