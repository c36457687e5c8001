namespace Capacity.Domain.Coupons;

/// <summary>Every rule of coupons, once: limits, why a coupon does not apply, and the discount.</summary>
public static class CouponRules
{
    public const int MaxLimit = 1_000_000_000;

    /// <summary>
    /// Why the coupon does not apply to this order now, by the rules of the coupon alone (status, dates, user,
    /// minimum), or null. Counts (order used, limits) are the database's: see <see cref="CouponReason"/>'s order.
    /// </summary>
    public static string? RuleReason(Coupon coupon, string userId, decimal orderValue, DateTimeOffset now)
    {
        if (coupon.Status == CouponStatus.Inactive)
        {
            return CouponReason.Inactive;
        }

        if (coupon.Status == CouponStatus.Expired || coupon.ValidTo is { } to && to <= now)
        {
            return CouponReason.Expired;
        }

        if (coupon.ValidFrom is { } from && from > now)
        {
            return CouponReason.NotStarted;
        }

        if (coupon.Kind == CouponKind.User && !string.Equals(coupon.UserId, userId, StringComparison.Ordinal))
        {
            return CouponReason.WrongUser;
        }

        if (coupon.MinOrderValue is { } min && orderValue < min)
        {
            return CouponReason.MinOrderNotMet;
        }

        return null;
    }

    /// <summary>
    /// The discount on <paramref name="orderValue"/>: a percentage (at most <see cref="Coupon.MaxDiscount"/>) or a fixed
    /// amount, never more than the order value, rounded half away from zero to 2 places (as PostgreSQL's round does;
    /// .NET's default would round half to even).
    /// </summary>
    public static decimal Discount(Coupon coupon, decimal orderValue)
    {
        var discount = coupon.DiscountType == DiscountType.Percent
            ? orderValue * coupon.DiscountValue / 100m
            : coupon.DiscountValue;
        if (coupon.MaxDiscount is { } cap && discount > cap)
        {
            discount = cap;
        }

        return Common.Money.Round(Math.Min(discount, orderValue));
    }
}

/// <summary>
/// Why a coupon does not apply, stable strings clients may switch on. When several apply, the first of this order
/// wins: not_found, inactive, expired, not_started, wrong_user, min_order_not_met, order_already_used,
/// usage_limit_reached, user_limit_reached.
/// </summary>
public static class CouponReason
{
    public const string NotFound = "not_found";
    public const string Inactive = "inactive";
    public const string Expired = "expired";
    public const string NotStarted = "not_started";
    public const string WrongUser = "wrong_user";
    public const string MinOrderNotMet = "min_order_not_met";
    public const string OrderAlreadyUsed = "order_already_used";
    public const string UsageLimitReached = "usage_limit_reached";
    public const string UserLimitReached = "user_limit_reached";

    public static readonly IReadOnlyList<string> All =
        [NotFound, Inactive, Expired, NotStarted, WrongUser, MinOrderNotMet, OrderAlreadyUsed, UsageLimitReached, UserLimitReached];
}
