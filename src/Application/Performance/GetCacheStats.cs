using Capacity.Application.Common.Caching;
using Capacity.Application.Common.Messaging;
using Mediator;

namespace Capacity.Application.Performance;

/// <summary>
/// This instance's cache by area (member, card, access-code …): hits, misses, hit rate, stale (fail-safe) serves,
/// entries held, evictions and an estimate of their memory. Served from memory: it works while the database is down.
/// </summary>
public static class GetCacheStats
{
    public sealed record Query : IQuery<Response>, IWithoutDatabase;

    /// <param name="Areas">One row per cache area, in name order.</param>
    /// <param name="MemoryEntries">Every entry of this instance's memory cache (all areas, and FusionCache's own).</param>
    public sealed record Response(IReadOnlyList<CacheAreaFigures> Areas, long MemoryEntries, DateTimeOffset GeneratedAt);

    internal sealed class Handler(CacheAreaStatistics areas, ICacheStatistics memory, TimeProvider clock) : IQueryHandler<Query, Response>
    {
        public ValueTask<Response> Handle(Query query, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new Response(areas.Snapshot(), memory.Memory.Entries, clock.GetUtcNow()));
    }
}
