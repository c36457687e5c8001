using Capacity.Application.Common.Metrics;
using Capacity.Application.Coupons;
using Capacity.Domain.Coupons;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Infrastructure.Coupons;

/// <summary>
/// <see cref="ICouponDefinitions"/> over FusionCache: a coupon's definition (or its absence) under
/// <see cref="CouponCache"/>'s key and tag, for <see cref="CouponCache.DefinitionDuration"/>. Called inside the
/// pipeline (the breaker already wraps the handler); while the database is down, fail-safe serves the last definition.
/// </summary>
internal sealed class FusionCouponDefinitions(IFusionCache cache, ICouponStore store) : ICouponDefinitions
{
    /// <summary>The <c>request</c> label of definition reads in <c>capacity_cache_lookups_total</c>.</summary>
    public const string Lookup = "Coupons.Definition";

    private readonly FusionCacheEntryOptions _options = cache.CreateEntryOptions(duration: CouponCache.DefinitionDuration);

    public async ValueTask<Coupon?> FindAsync(string normalizedCode, CancellationToken cancellationToken)
    {
        var ranFactory = false;
        var coupon = await cache.GetOrSetAsync<Coupon?>(
            CouponCache.DefinitionKey(normalizedCode),
            async (_, ct) =>
            {
                ranFactory = true;
                return await store.FindAsync(normalizedCode, ct);
            },
            default,
            _options,
            [CouponCache.CouponTag(normalizedCode)],
            cancellationToken);
        CapacityMetrics.CacheLookups.Add(1, new("request", Lookup), new("result", ranFactory ? "miss" : "hit"));
        return coupon;
    }
}
