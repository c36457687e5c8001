using Capacity.Application.Performance;
using Microsoft.Extensions.Caching.Memory;

namespace Capacity.Infrastructure.Caching;

/// <summary>Reads the L1 memory cache's counters (it is created with TrackStatistics).</summary>
internal sealed class MemoryCacheStatistics(IMemoryCache memory) : ICacheStatistics
{
    public MemoryCacheFigures Memory =>
        (memory as MemoryCache)?.GetCurrentStatistics() is { } stats
            ? new MemoryCacheFigures(stats.CurrentEntryCount, stats.TotalHits, stats.TotalMisses)
            : new MemoryCacheFigures(0, 0, 0);
}
