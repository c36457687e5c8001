using Capacity.Domain.Common;

namespace Capacity.Domain.Coupons;

/// <summary>Every expected failure of coupons; those that carry a <c>reason</c> say it in <see cref="Error.Extensions"/>.</summary>
public static class CouponErrors
{
    public static Error NotFound(string code) =>
        new("coupon-not-found", $"Coupon '{code}' does not exist.", ErrorKind.NotFound) { Reason = CouponReason.NotFound };

    public static Error AlreadyExists(string code) =>
        new("coupon-exists", $"Coupon '{code}' already exists.", ErrorKind.Conflict);

    public static Error NotApplicable(string code, string reason) =>
        new("coupon-not-applicable", $"Coupon '{code}' does not apply to this order: {reason}.", ErrorKind.Unprocessable) { Reason = reason };

    public static Error LimitReached(string code, string reason) =>
        new("coupon-limit-reached", $"Coupon '{code}' cannot be redeemed again: {reason}.", ErrorKind.Conflict) { Reason = reason };

    public static Error OrderAlreadyRedeemed(string code, string orderId) =>
        new("order-already-redeemed", $"Order '{orderId}' already redeemed coupon '{code}' for another user.", ErrorKind.Conflict)
        {
            Reason = CouponReason.OrderAlreadyUsed,
        };

    public static Error IdempotencyKeyReused(string code, string orderId) =>
        new("idempotency-key-reused", $"Order '{orderId}' already redeemed coupon '{code}' with a different order value.", ErrorKind.Conflict);

    public static Error RedemptionNotFound(Guid redemptionId) =>
        new("redemption-not-found", $"Redemption '{redemptionId}' does not exist.", ErrorKind.NotFound);

    public static Error RedemptionBusy(Guid redemptionId, int retryAfterSeconds) =>
        new("redemption-busy", $"Redemption '{redemptionId}' could not be reversed right now (its coupon is busy); retry shortly.", ErrorKind.Busy)
        {
            RetryAfterSeconds = retryAfterSeconds,
        };

    public static Error Busy(string code, int retryAfterSeconds) =>
        new("coupon-busy", $"Coupon '{code}' is too busy right now; retry shortly.", ErrorKind.Busy) { RetryAfterSeconds = retryAfterSeconds };
}
