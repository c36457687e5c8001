using System.Diagnostics.Metrics;
using Capacity.Application.Common.Metrics;

namespace Capacity.Infrastructure.Coupons;

/// <summary>The coupon feature's instruments (on <see cref="CapacityMetrics.Meter"/>).</summary>
internal static class CouponMetrics
{
    public static readonly Histogram<int> RedemptionBatchSize = CapacityMetrics.Meter.CreateHistogram<int>(
        "capacity.coupons.redemption_batch_size",
        description: "Redemptions decided per redemption transaction (coalesced per coupon).",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] });
}
