namespace Capacity.Application.Performance;

/// <summary>The memory cache's own counters; Infrastructure implements it.</summary>
public interface ICacheStatistics
{
    /// <summary>Entries in the memory (L1) cache now, with its lifetime hit and miss counts.</summary>
    MemoryCacheFigures Memory { get; }
}

public sealed record MemoryCacheFigures(long Entries, long Hits, long Misses);
