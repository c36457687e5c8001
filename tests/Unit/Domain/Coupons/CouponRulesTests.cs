using Capacity.Domain.Common;
using Capacity.Domain.Coupons;

namespace Capacity.UnitTests.Domain.Coupons;

public sealed class CouponRulesTests
{
    private static readonly DateTimeOffset Now = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private static Coupon Coupon(DiscountType type = DiscountType.Percent, decimal value = 10m, decimal? max = null, int? usageLimit = null, int? perUser = null) => new()
    {
        Id = Guid.CreateVersion7(),
        Code = "TEST",
        Kind = CouponKind.Time,
        ValidFrom = Now.AddDays(-1),
        ValidTo = Now.AddDays(1),
        Status = CouponStatus.Active,
        DiscountType = type,
        DiscountValue = value,
        MaxDiscount = max,
        UsageLimit = usageLimit,
        PerUserLimit = perUser,
        CreatedAt = Now,
        UpdatedAt = Now,
    };

    [Theory]
    [InlineData(12.5, 0.20, "0.03")]     // 0.025: half away from zero (half to even gives 0.02)
    [InlineData(12.5, 0.36, "0.05")]     // 0.045
    [InlineData(10, 0.05, "0.01")]       // 0.005
    [InlineData(33.33, 10.05, "3.35")]
    [InlineData(100, 19.99, "19.99")]
    public void Percent_discounts_round_half_away_from_zero_to_2_places(double percent, double order, string expected) =>
        Assert.Equal(expected, CouponRules.Discount(Coupon(value: (decimal)percent), (decimal)order).ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void A_percent_discount_stops_at_max_discount_and_a_fixed_one_at_the_order_value()
    {
        Assert.Equal(30.00m, CouponRules.Discount(Coupon(value: 50m, max: 30m), 100m));
        Assert.Equal(50.00m, CouponRules.Discount(Coupon(DiscountType.Fixed, 80m), 50m));
        Assert.Equal(0.00m, CouponRules.Discount(Coupon(DiscountType.Fixed, 80m), 0m));
    }

    [Fact]
    public void Money_always_has_2_places() => Assert.Equal("10.00", Money.Round(10m).ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public void Inside_a_batch_the_per_user_limit_and_the_order_id_hold()
    {
        var coupon = Coupon(usageLimit: 3, perUser: 1);
        RedeemRequest[] requests =
        [
            new("a", "o-1", 10m),
            new("a", "o-2", 10m),   // user limit
            new("b", "o-1", 10m),   // order taken by a
            new("a", "o-1", 10m),   // a's retry: the redemption of the first
            new("a", "o-1", 11m),   // a different value: idempotency key reused
            new("c", "o-3", 10m),
            new("d", "o-4", 10m),
            new("e", "o-5", 10m),   // total limit
        ];

        var outcomes = RedemptionDecision.Decide(coupon, new Dictionary<string, int>(), new Dictionary<string, Redemption>(), requests, Now);

        Assert.True(outcomes[0].Created);
        Assert.Equal("coupon-limit-reached", outcomes[1].Error?.Code);
        Assert.Equal(CouponReason.UserLimitReached, outcomes[1].Error?.Reason);
        Assert.Equal("order-already-redeemed", outcomes[2].Error?.Code);
        Assert.Same(outcomes[0].Redemption, outcomes[3].Redemption);
        Assert.False(outcomes[3].Created);
        Assert.Equal("idempotency-key-reused", outcomes[4].Error?.Code);
        Assert.True(outcomes[5].Created);
        Assert.True(outcomes[6].Created);
        Assert.Equal(CouponReason.UsageLimitReached, outcomes[7].Error?.Reason);
    }

    [Fact]
    public void A_retry_of_a_standing_redemption_gets_it_back_after_the_coupon_was_switched_off()
    {
        var coupon = Coupon();
        var standing = RedemptionDecision.Decide(coupon, new Dictionary<string, int>(), new Dictionary<string, Redemption>(), [new("a", "o-1", 10m)], Now)[0].Redemption!;
        coupon.Status = CouponStatus.Inactive;

        var retry = RedemptionDecision.Decide(
            coupon, new Dictionary<string, int> { ["a"] = 1 }, new Dictionary<string, Redemption> { ["o-1"] = standing }, [new("a", "o-1", 10m), new("b", "o-2", 10m)], Now);

        Assert.Same(standing, retry[0].Redemption);
        Assert.False(retry[0].Created);
        Assert.Equal(CouponReason.Inactive, retry[1].Error?.Reason);
    }

    [Fact]
    public void Standing_redemptions_from_before_the_batch_count()
    {
        var coupon = Coupon(usageLimit: 10, perUser: 2);
        coupon.UsageCount = 9;

        var outcomes = RedemptionDecision.Decide(
            coupon, new Dictionary<string, int> { ["a"] = 2 }, new Dictionary<string, Redemption>(),
            [new("a", "o-1", 10m), new("b", "o-2", 10m), new("c", "o-3", 10m)], Now);

        Assert.Equal(CouponReason.UserLimitReached, outcomes[0].Error?.Reason);
        Assert.True(outcomes[1].Created);
        Assert.Equal(CouponReason.UsageLimitReached, outcomes[2].Error?.Reason);
    }
}
