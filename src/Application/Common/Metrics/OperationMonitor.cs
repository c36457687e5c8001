using System.Collections.Concurrent;

namespace Capacity.Application.Common.Metrics;

/// <summary>
/// Recent timings of every operation (mediator request type) and cache lookups, for the performance API.
/// Fed by <c>TimingBehavior</c> and <c>CachingBehavior</c>; the same figures go to <c>/metrics</c>.
/// </summary>
public sealed class OperationMonitor
{
    /// <summary>Samples kept per operation; older ones fall out of the ring.</summary>
    public const int SamplesPerOperation = 20_000;

    private readonly ConcurrentDictionary<string, OperationWindow> _operations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CacheCounter> _cache = new(StringComparer.Ordinal);

    public OperationWindow For(string operation) =>
        _operations.GetOrAdd(operation, static _ => new OperationWindow(SamplesPerOperation));

    public IEnumerable<KeyValuePair<string, OperationWindow>> Operations => _operations;

    public void CacheLookup(string query, bool hit)
    {
        var counter = _cache.GetOrAdd(query, static _ => new CacheCounter());
        if (hit)
        {
            Interlocked.Increment(ref counter.Hits);
        }
        else
        {
            Interlocked.Increment(ref counter.Misses);
        }
    }

    public IEnumerable<(string Query, long Hits, long Misses)> CacheLookups =>
        _cache.Select(c => (c.Key, Interlocked.Read(ref c.Value.Hits), Interlocked.Read(ref c.Value.Misses)));

    private sealed class CacheCounter
    {
        public long Hits;
        public long Misses;
    }
}
