using Capacity.Application.AccessCodes;
using Capacity.Application.Common.Caching;
using Capacity.Application.Common.Metrics;
using Capacity.Domain.Common;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>
/// <see cref="IAccessCodeCache"/> over FusionCache: reads the entries <see cref="GetAccessCode.Query"/> writes (same
/// key, same value type), from this instance's memory only. A hit on an entry a tag invalidated is a miss.
/// </summary>
internal sealed class FusionAccessCodeCache(IFusionCache cache) : IAccessCodeCache
{
    /// <summary>The <c>request</c> label of the pre-check's lookups in <c>capacity_cache_lookups_total</c>.</summary>
    public const string PeekLookup = "AccessCodes.UsagePeek";

    // No L2 read or write, no backplane message: a peek must not wait for Redis (it runs before every claim).
    private static readonly FusionCacheEntryOptions LocalOnly = new FusionCacheEntryOptions()
        .SetSkipDistributedCache(true, true)
        .SetSkipBackplaneNotifications(true);

    public async ValueTask<AccessCodeResponse?> PeekAsync(string normalizedCode, CancellationToken cancellationToken)
    {
        var cached = await cache.TryGetAsync<CachedValue<Result<AccessCodeResponse>>>(
            AccessCodeCache.CodeKey(normalizedCode), LocalOnly, cancellationToken);
        CapacityMetrics.CacheLookups.Add(1, new("request", PeekLookup), new("result", cached.HasValue ? "hit" : "miss"));
        return cached.HasValue ? cached.Value.Value.Value : null;
    }
}
