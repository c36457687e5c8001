using Capacity.Domain.Coupons;

namespace Capacity.Application.Coupons;

/// <summary>What the validation log says, read from PostgreSQL.</summary>
public interface ICouponStatistics
{
    /// <summary>A coupon's validations and redemptions; null when the coupon does not exist.</summary>
    Task<GetCouponStats.Response?> StatsAsync(string normalizedCode, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="take"/> validations older than <paramref name="after"/> (all when null), newest first.</summary>
    Task<IReadOnlyList<ValidationLogEntry>> RecentAsync(Common.Paging.KeysetCursor? after, int take, CancellationToken cancellationToken);
}
