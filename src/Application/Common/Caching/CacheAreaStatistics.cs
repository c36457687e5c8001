using System.Collections.Concurrent;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Events;

namespace Capacity.Application.Common.Caching;

/// <summary>
/// This instance's cache by area (the key's prefix: member, card, access-code …): how reads were served (hit, miss,
/// stale, as <see cref="CacheServe"/> reports them), the entries held in memory now, evictions, and an estimate of the
/// memory they take (the serialized size of each value when it was read). Entries and evictions follow FusionCache's
/// memory-level events, so they trail a write by moments.
/// </summary>
public sealed class CacheAreaStatistics
{
    private readonly ConcurrentDictionary<string, Area> _areas = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _entries = new(StringComparer.Ordinal);

    // Keys whose last refresh failed, with the read time of the value fail-safe answered instead (cleared by a fresh read).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _staleServed = new(StringComparer.Ordinal);

    public CacheAreaStatistics(IFusionCache cache)
    {
        // FusionCache's own entries (tag timestamps, "__fc:…") are not an area of the product.
        cache.Events.Memory.Set += (_, e) =>
        {
            if (!e.Key.StartsWith("__", StringComparison.Ordinal))
            {
                _entries.AddOrUpdate(e.Key, 0, (_, size) => size);
            }
        };
        cache.Events.Memory.Remove += (_, e) => _entries.TryRemove(e.Key, out long _);
        cache.Events.Memory.Eviction += (_, e) => OnEviction(e);
    }

    /// <summary>
    /// The area a cache key belongs to: the part before its first ':' (each feature's cache class starts its keys with
    /// its area: <c>member:</c>, <c>card:</c>, <c>access-code:</c>, <c>coupon:</c>, <c>client-key:</c>).
    /// </summary>
    public static string AreaOf(string key) => AreaSpan(key).ToString();

    private static ReadOnlySpan<char> AreaSpan(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? key.AsSpan() : key.AsSpan(0, colon);
    }

    public void Record(string key, CacheOutcome outcome)
    {
        var area = AreaFor(key);
        switch (outcome)
        {
            case CacheOutcome.Hit:
                Interlocked.Increment(ref area.Hits);
                break;
            case CacheOutcome.Miss:
                Interlocked.Increment(ref area.Misses);
                break;
            default:
                Interlocked.Increment(ref area.Stale);
                break;
        }
    }

    /// <summary>
    /// Classifies a cached read and counts it: read now (a miss); stale when the refresh failed (fail-safe answered),
    /// when the value is older than its duration, or when it is the same value a failed refresh answered before (fail-safe
    /// re-serves it for a while without trying again); else a fresh hit.
    /// </summary>
    public CacheOutcome Served<T>(string key, CachedValue<T> value, bool readNow, bool refreshFailed, TimeSpan duration, DateTimeOffset now)
    {
        if (readNow)
        {
            _staleServed.TryRemove(key, out _);
        }
        else if (refreshFailed)
        {
            _staleServed[key] = value.ReadAt;
        }

        var knownStale = !readNow && _staleServed.TryGetValue(key, out var servedAt) && servedAt == value.ReadAt;
        var outcome = value.ReportServed(readNow, refreshFailed || knownStale, duration, now);
        Record(key, outcome);
        return outcome;
    }

    /// <summary>The serialized size of the value just read for <paramref name="key"/> (the memory estimate's basis).</summary>
    public void RecordSize(string key, long bytes) => _entries[key] = bytes;

    public IReadOnlyList<CacheAreaFigures> Snapshot()
    {
        var held = _entries.ToArray()
            .GroupBy(e => AreaOf(e.Key), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (Entries: g.LongCount(), Bytes: g.Sum(e => e.Value)), StringComparer.Ordinal);
        return [.. _areas.Keys.Union(held.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(name =>
        {
            var area = _areas.GetValueOrDefault(name) ?? new Area();
            var (entries, bytes) = held.GetValueOrDefault(name);
            var hits = Interlocked.Read(ref area.Hits);
            var misses = Interlocked.Read(ref area.Misses);
            var stale = Interlocked.Read(ref area.Stale);
            var reads = hits + misses + stale;
            return new CacheAreaFigures(
                name, hits, misses, reads == 0 ? null : Math.Round((hits + stale) / (double)reads, 4), stale, entries,
                Interlocked.Read(ref area.Evictions), bytes);
        })];
    }

    private void OnEviction(FusionCacheEntryEvictionEventArgs e)
    {
        // Replaced: a newer value took the key (still held); Removed: counted by the Remove event.
        if (e.Reason is Microsoft.Extensions.Caching.Memory.EvictionReason.Replaced or Microsoft.Extensions.Caching.Memory.EvictionReason.Removed)
        {
            return;
        }

        _entries.TryRemove(e.Key, out long _);
        Interlocked.Increment(ref AreaFor(e.Key).Evictions);
    }

    // On every cached read: found by a span of the key, so the known areas cost no allocation.
    private Area AreaFor(string key)
    {
        var lookup = _areas.GetAlternateLookup<ReadOnlySpan<char>>();
        var area = AreaSpan(key);
        return lookup.TryGetValue(area, out var found) ? found : _areas.GetOrAdd(area.ToString(), static _ => new Area());
    }

    private sealed class Area
    {
        public long Hits;
        public long Misses;
        public long Stale;
        public long Evictions;
    }
}

/// <param name="Area">member, card, access-code, coupon, client-key …: the prefix of the area's cache keys.</param>
/// <param name="HitRate">Reads answered from the cache (fresh or stale) over all reads; null before the first read.</param>
/// <param name="StaleServes">Reads answered with a value past its fresh duration (fail-safe).</param>
/// <param name="Entries">Entries held in this instance's memory now.</param>
/// <param name="Evictions">Entries the memory cache dropped (expired or under pressure) since start.</param>
/// <param name="EstimatedBytes">The serialized size of the values held, as read (an estimate of their memory).</param>
public sealed record CacheAreaFigures(
    string Area, long Hits, long Misses, double? HitRate, long StaleServes, long Entries, long Evictions, long EstimatedBytes);
