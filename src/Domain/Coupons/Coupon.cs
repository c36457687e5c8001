namespace Capacity.Domain.Coupons;

/// <summary>A user coupon is bound to one <see cref="Coupon.UserId"/>; a time coupon is valid from <see cref="Coupon.ValidFrom"/> to <see cref="Coupon.ValidTo"/>.</summary>
public enum CouponKind
{
    User,
    Time,
}

/// <summary>Stored as the seed stores it; a coupon past its <see cref="Coupon.ValidTo"/> counts as expired whatever its status.</summary>
public enum CouponStatus
{
    Active,
    Inactive,
    Expired,
}

public enum DiscountType
{
    /// <summary><see cref="Coupon.DiscountValue"/> percent of the order value, at most <see cref="Coupon.MaxDiscount"/>.</summary>
    Percent,

    /// <summary><see cref="Coupon.DiscountValue"/> off the order, never more than the order value.</summary>
    Fixed,
}

/// <summary>A coupon (seed 003). Money is decimal with 2 places, <c>numeric(12,2)</c> in PostgreSQL.</summary>
public sealed class Coupon
{
    public required Guid Id { get; init; }

    /// <summary>Upper case; matched case-insensitively (as access codes).</summary>
    public required string Code { get; init; }

    public required CouponKind Kind { get; init; }

    /// <summary>The shop's own id of the customer a user coupon is bound to.</summary>
    public string? UserId { get; init; }

    public DateTimeOffset? ValidFrom { get; init; }

    public DateTimeOffset? ValidTo { get; init; }

    public required CouponStatus Status { get; set; }

    public required DiscountType DiscountType { get; init; }

    public required decimal DiscountValue { get; init; }

    public decimal? MinOrderValue { get; init; }

    public decimal? MaxDiscount { get; init; }

    /// <summary>Redemptions in all, at most; null: no limit.</summary>
    public int? UsageLimit { get; init; }

    /// <summary>Redemptions per user, at most; null: no limit.</summary>
    public int? PerUserLimit { get; init; }

    /// <summary>Redemptions that stand (not reversed); kept exact by the redemption transactions.</summary>
    public int UsageCount { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One use of a coupon for one order of one user; a reversal frees it (the row stays, with <see cref="ReversedAt"/>).</summary>
public sealed class Redemption
{
    public required Guid Id { get; init; }

    public required Guid CouponId { get; init; }

    public required string UserId { get; init; }

    public required string OrderId { get; init; }

    public required decimal OrderValue { get; init; }

    public required decimal DiscountApplied { get; init; }

    public required decimal FinalAmount { get; init; }

    public required DateTimeOffset RedeemedAt { get; init; }

    public DateTimeOffset? ReversedAt { get; set; }
}
