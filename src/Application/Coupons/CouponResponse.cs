using Capacity.Domain.Coupons;

namespace Capacity.Application.Coupons;

/// <summary>A coupon as the admin routes show it.</summary>
/// <param name="Status">active, inactive or expired; expired also once <c>validTo</c> has passed, whatever is stored.</param>
/// <param name="UsageCount">Standing redemptions (reversed ones do not count).</param>
public sealed record CouponResponse(
    Guid Id,
    string Code,
    string Kind,
    string? UserId,
    DateTimeOffset? ValidFrom,
    DateTimeOffset? ValidTo,
    string Status,
    string DiscountType,
    decimal DiscountValue,
    decimal? MinOrderValue,
    decimal? MaxDiscount,
    int? UsageLimit,
    int? PerUserLimit,
    int UsageCount,
    DateTimeOffset CreatedAt)
{
    public static CouponResponse From(Coupon c, DateTimeOffset now) => new(
        c.Id, c.Code, CouponText.Of(c.Kind), c.UserId, c.ValidFrom, c.ValidTo,
        CouponText.Of(c.Status == CouponStatus.Active && c.ValidTo is { } to && to <= now ? CouponStatus.Expired : c.Status),
        CouponText.Of(c.DiscountType), c.DiscountValue, c.MinOrderValue, c.MaxDiscount, c.UsageLimit, c.PerUserLimit,
        c.UsageCount, c.CreatedAt);
}

/// <summary>The JSON (and stored) words of the coupon enums.</summary>
public static class CouponText
{
    public static readonly string[] Kinds = ["user", "time"];
    public static readonly string[] Statuses = ["active", "inactive", "expired"];
    public static readonly string[] DiscountTypes = ["percent", "fixed"];

    public static string Of(CouponKind kind) => kind == CouponKind.User ? "user" : "time";

    public static string Of(CouponStatus status) => status switch
    {
        CouponStatus.Active => "active",
        CouponStatus.Inactive => "inactive",
        _ => "expired",
    };

    public static string Of(Domain.Coupons.DiscountType type) => type == Domain.Coupons.DiscountType.Percent ? "percent" : "fixed";

    public static CouponKind? Kind(string? text) => text?.ToLowerInvariant() switch
    {
        "user" => CouponKind.User,
        "time" => CouponKind.Time,
        _ => null,
    };

    public static CouponStatus? Status(string? text) => text?.ToLowerInvariant() switch
    {
        "active" => CouponStatus.Active,
        "inactive" => CouponStatus.Inactive,
        "expired" => CouponStatus.Expired,
        _ => null,
    };

    public static DiscountType? DiscountType(string? text) => text?.ToLowerInvariant() switch
    {
        "percent" => Domain.Coupons.DiscountType.Percent,
        "fixed" => Domain.Coupons.DiscountType.Fixed,
        _ => null,
    };
}
