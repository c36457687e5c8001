using Capacity.Domain.Common;
using Capacity.Domain.Coupons;

namespace Capacity.Application.Coupons;

/// <summary>Coupon definitions in PostgreSQL.</summary>
public interface ICouponStore
{
    /// <summary>Adds the coupon; false (and nothing written) when its code exists.</summary>
    Task<bool> TryAddAsync(Coupon coupon, CancellationToken cancellationToken);

    /// <summary>The coupon with that (normalized) code, with its live usage count, or null.</summary>
    Task<Coupon?> FindAsync(string code, CancellationToken cancellationToken);

    /// <summary>One page of coupons in code order, filtered by effective status (expired once past validTo) and kind.</summary>
    Task<(IReadOnlyList<Coupon> Coupons, long Total)> ListAsync(
        CouponStatus? status, CouponKind? kind, long offset, int limit, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Sets the coupon inactive; the coupon, or null when it does not exist.</summary>
    Task<Coupon?> DeactivateAsync(string code, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>
/// Coupon definitions read through the cache (the composite-read pattern): Infrastructure answers from this instance's
/// memory (FusionCache, <see cref="CouponCache"/>'s key and duration), reading <see cref="ICouponStore"/> on a miss. A
/// definition's usage count is not kept fresh: counts come from <see cref="ICouponLedger"/>.
/// </summary>
public interface ICouponDefinitions
{
    ValueTask<Coupon?> FindAsync(string normalizedCode, CancellationToken cancellationToken);

    /// <summary>
    /// Drops the code's definition (or its "not found") here at once and on the other instances through the backplane:
    /// the commands that create or change a coupon call it after their write.
    /// </summary>
    ValueTask ForgetAsync(string normalizedCode, CancellationToken cancellationToken);
}

/// <summary>What validation needs to know from the database, exactly: the counts and the order.</summary>
/// <param name="UsageCount">Standing redemptions of the coupon.</param>
/// <param name="UserCount">Standing redemptions of the coupon by this user.</param>
/// <param name="OrderUsed">The order already has a standing redemption of the coupon.</param>
public sealed record CouponCounts(int UsageCount, int UserCount, bool OrderUsed);

/// <summary>Redemptions: exact counts, atomic grants within the limits, reversals. PostgreSQL in Infrastructure.</summary>
public interface ICouponLedger
{
    Task<CouponCounts> CountsAsync(Guid couponId, string userId, string? orderId, CancellationToken cancellationToken);

    /// <summary>
    /// Decides and records the requests for ONE coupon in one transaction under its row lock
    /// (<see cref="RedemptionDecision"/>), in order; null when the coupon does not exist.
    /// </summary>
    Task<RedeemBatch?> RedeemAsync(string normalizedCode, IReadOnlyList<RedeemRequest> requests, CancellationToken cancellationToken);

    /// <summary>
    /// Frees the redemption's use exactly once: the reversal, <c>redemption-not-found</c>, or <c>redemption-busy</c> when the
    /// coupon's row stayed held past the lock timeout.
    /// </summary>
    Task<Result<Reversal>> ReverseAsync(Guid redemptionId, DateTimeOffset now, CancellationToken cancellationToken);
}

/// <summary>The outcomes of a redemption transaction, in request order, and the coupon's usage count after it.</summary>
public sealed record RedeemBatch(string Code, RedeemOutcome[] Outcomes, int UsageCount);

/// <param name="Reversed">True when this call freed the use; false when it had been reversed before.</param>
public sealed record Reversal(Guid RedemptionId, bool Reversed, int UsageCount);
