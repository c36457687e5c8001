using Capacity.Application.Common.Messaging;
using Capacity.Application.Common.Metrics;
using Mediator;
using Microsoft.Extensions.Options;

namespace Capacity.Application.Performance;

/// <summary>
/// Per operation: count, success rate, p50/p95/p99 over the window, concurrency, throughput; cache hit rates
/// and entry counts; alerts by the configured thresholds. Served from memory: it works while the database is down.
/// </summary>
public static class GetPerformance
{
    public sealed record Query : IQuery<Response>, IWithoutDatabase;

    public sealed record Response(
        TimeSpan Window,
        DateTimeOffset GeneratedAt,
        IReadOnlyList<OperationFigures> Operations,
        CacheFigures Cache,
        PoolFigures? DatabasePool,
        QueueFigures RequestQueue,
        IReadOnlyList<Alert> Alerts);

    /// <param name="Operation">Request type, e.g. "ClaimSeat.Command".</param>
    /// <param name="SuccessRate">0..1; expected answers (not found, full, gone, invalid input) count as success, busy and failures do not.</param>
    public sealed record OperationFigures(
        string Operation,
        int Count,
        double SuccessRate,
        double AverageMs,
        double P50Ms,
        double P95Ms,
        double P99Ms,
        double MaxMs,
        int Concurrency,
        double ThroughputPerMinute);

    public sealed record CacheFigures(IReadOnlyList<CacheQueryFigures> Queries, long MemoryEntries, long MemoryHits, long MemoryMisses);

    /// <param name="HitRate">0..1, or null before the first lookup.</param>
    public sealed record CacheQueryFigures(string Query, long Hits, long Misses, double? HitRate);

    internal sealed class Handler(
        OperationMonitor monitor, ICacheStatistics cache, IDatabasePoolStatistics pool, IRequestQueueStatistics queue,
        IOptions<PerformanceOptions> options, TimeProvider clock)
        : IQueryHandler<Query, Response>
    {
        public ValueTask<Response> Handle(Query query, CancellationToken cancellationToken)
        {
            var settings = options.Value;
            var now = clock.GetUtcNow();
            var operations = new List<OperationFigures>();
            var alerts = new List<Alert>();
            foreach (var (name, window) in monitor.Operations.OrderBy(o => o.Key, StringComparer.Ordinal))
            {
                var stats = window.Snapshot(now - settings.Window);
                var inFlight = window.InFlight;
                alerts.AddRange(PerformanceAlerts.For(name, stats, inFlight, settings));
                if (stats is null && inFlight == 0)
                {
                    continue;
                }

                operations.Add(new OperationFigures(
                    name,
                    stats?.Count ?? 0,
                    Math.Round(stats?.SuccessRate ?? 1, 4),
                    Math.Round(stats?.AverageMs ?? 0, 3),
                    Math.Round(stats?.P50Ms ?? 0, 3),
                    Math.Round(stats?.P95Ms ?? 0, 3),
                    Math.Round(stats?.P99Ms ?? 0, 3),
                    Math.Round(stats?.MaxMs ?? 0, 3),
                    inFlight,
                    Math.Round((stats?.Count ?? 0) / settings.Window.TotalMinutes, 1)));
            }

            var memory = cache.Memory;
            var lookups = monitor.CacheLookups
                .OrderBy(c => c.Query, StringComparer.Ordinal)
                .Select(c => new CacheQueryFigures(
                    c.Query, c.Hits, c.Misses, c.Hits + c.Misses == 0 ? null : Math.Round(c.Hits / (double)(c.Hits + c.Misses), 4)))
                .ToList();
            var poolNow = pool.Read();
            var queueNow = queue.Read();
            alerts.AddRange(SystemAlerts.For(poolNow, lookups.Select(l => (l.Query, l.Hits, l.Misses)), queueNow, settings));
            return ValueTask.FromResult(new Response(
                settings.Window, now, operations, new CacheFigures(lookups, memory.Entries, memory.Hits, memory.Misses), poolNow, queueNow,
                alerts));
        }
    }
}
