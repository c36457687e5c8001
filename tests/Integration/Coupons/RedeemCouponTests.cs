using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Coupons;

/// <summary>Redemptions and reversals through HTTP against PostgreSQL, alone and racing, with exact counts.</summary>
public sealed class RedeemCouponTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>, IAsyncLifetime
{
    private HttpClient _shop = null!;

    public async Task InitializeAsync() => _shop = await api.ShopClientAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Redeem_answers_201_with_the_redemption_and_a_retry_200_with_the_same_one()
    {
        var code = await api.CreateCouponAsync(new { discountValue = 10m, maxDiscount = 5m });

        var first = await _shop.RedeemAsync(code.ToLowerInvariant(), "u-1", "o-1", 120m);
        var retry = await _shop.RedeemAsync(code, "u-1", "o-1", 120m);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        var created = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement;
        var again = JsonDocument.Parse(await retry.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(created.GetProperty("redemptionId").GetGuid(), again.GetProperty("redemptionId").GetGuid());
        Assert.Equal(code, created.GetProperty("code").GetString());
        Assert.Equal("5.00", created.GetProperty("discountApplied").GetRawText());
        Assert.Equal("115.00", created.GetProperty("finalAmount").GetRawText());
        Assert.Equal(1, created.GetProperty("usageCount").GetInt32());
        Assert.Equal(1, again.GetProperty("usageCount").GetInt32());
        Assert.Equal(1, await api.UsageCountAsync(code));
    }

    [Fact]
    public async Task The_order_of_another_user_is_409_order_already_redeemed_and_a_different_value_409_idempotency_key_reused()
    {
        var code = await api.CreateCouponAsync();
        Assert.Equal(HttpStatusCode.Created, (await _shop.RedeemAsync(code, "u-1", "o-1", 50m)).StatusCode);

        var other = await Problems.AssertAsync(await _shop.RedeemAsync(code, "u-2", "o-1", 50m), HttpStatusCode.Conflict, "order-already-redeemed");
        Assert.Equal("order_already_used", other.GetProperty("reason").GetString());
        await Problems.AssertAsync(await _shop.RedeemAsync(code, "u-1", "o-1", 51m), HttpStatusCode.Conflict, "idempotency-key-reused");
        Assert.Equal(1, await api.UsageCountAsync(code));
    }

    [Theory]
    [InlineData("""{"status":"inactive"}""", "inactive")]
    [InlineData("""{"validFrom":"2020-01-01T00:00:00Z","validTo":"2020-02-01T00:00:00Z"}""", "expired")]
    [InlineData("""{"validFrom":"2099-01-01T00:00:00Z","validTo":"2099-02-01T00:00:00Z"}""", "not_started")]
    [InlineData("""{"kind":"user","userId":"somebody-else"}""", "wrong_user")]
    [InlineData("""{"minOrderValue":1000}""", "min_order_not_met")]
    public async Task A_rule_that_fails_is_422_coupon_not_applicable_with_its_reason(string overrides, string reason)
    {
        var code = await api.CreateCouponAsync(JsonDocument.Parse(overrides).RootElement);

        var problem = await Problems.AssertAsync(await _shop.RedeemAsync(code, "u-1", "o-1", 50m), HttpStatusCode.UnprocessableEntity, "coupon-not-applicable");

        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        Assert.Equal(0, await api.UsageCountAsync(code));
    }

    [Fact]
    public async Task Limits_are_409_coupon_limit_reached_with_the_reason_and_unknown_coupons_404()
    {
        var code = await api.CreateCouponAsync(new { usageLimit = 2, perUserLimit = 1 });
        Assert.Equal(HttpStatusCode.Created, (await _shop.RedeemAsync(code, "u-1", "o-1", 50m)).StatusCode);

        var user = await Problems.AssertAsync(await _shop.RedeemAsync(code, "u-1", "o-2", 50m), HttpStatusCode.Conflict, "coupon-limit-reached");
        Assert.Equal("user_limit_reached", user.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.Created, (await _shop.RedeemAsync(code, "u-2", "o-3", 50m)).StatusCode);
        var total = await Problems.AssertAsync(await _shop.RedeemAsync(code, "u-3", "o-4", 50m), HttpStatusCode.Conflict, "coupon-limit-reached");
        Assert.Equal("usage_limit_reached", total.GetProperty("reason").GetString());

        await Problems.AssertAsync(await _shop.RedeemAsync("NO-SUCH-COUPON", "u-1", "o-1", 50m), HttpStatusCode.NotFound, "coupon-not-found");
    }

    [Fact]
    public async Task Exactly_100_of_1000_parallel_redeems_of_a_coupon_limited_to_100_succeed()
    {
        var code = await api.CreateCouponAsync(new { usageLimit = 100 });

        var answers = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => _shop.RedeemAsync(code, $"u-{i}", $"o-{i}", 50m)));

        Assert.Equal(100, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(900, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(100, await api.UsageCountAsync(code));
        Assert.Equal(100L, await StandingAsync(code));
    }

    [Fact]
    public async Task One_user_with_a_per_user_limit_of_2_sending_50_parallel_orders_gets_exactly_2()
    {
        var code = await api.CreateCouponAsync(new { perUserLimit = 2 });

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => _shop.RedeemAsync(code, "greedy", $"o-{i}", 50m)));

        Assert.Equal(2, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(48, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(2L, await StandingAsync(code));
    }

    [Fact]
    public async Task The_same_order_sent_20_times_in_parallel_is_one_redemption_and_19_retries()
    {
        var code = await api.CreateCouponAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _shop.RedeemAsync(code, "u-1", "o-same", 75m)));

        Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(19, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
        var ids = await Task.WhenAll(answers.Select(async a => JsonDocument.Parse(await a.Content.ReadAsStringAsync()).RootElement.GetProperty("redemptionId").GetGuid()));
        Assert.Single(ids.Distinct());
        Assert.Equal(1L, await StandingAsync(code));
    }

    [Fact]
    public async Task Reverse_frees_the_use_exactly_once_however_often_it_is_called_and_the_order_may_redeem_again()
    {
        var code = await api.CreateCouponAsync(new { usageLimit = 1 });
        var redeemed = JsonDocument.Parse(await (await _shop.RedeemAsync(code, "u-1", "o-1", 50m)).Content.ReadAsStringAsync()).RootElement;
        var id = redeemed.GetProperty("redemptionId").GetGuid();

        var reversals = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _shop.PostAsync($"/api/coupons/redemptions/{id}/reverse", null)));

        Assert.All(reversals, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var bodies = await Task.WhenAll(reversals.Select(async r => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement));
        Assert.Single(bodies, b => b.GetProperty("reversed").GetBoolean());
        Assert.All(bodies, b => Assert.Equal(0, b.GetProperty("usageCount").GetInt32()));
        Assert.Equal(0, await api.UsageCountAsync(code));

        var again = await _shop.RedeemAsync(code, "u-1", "o-1", 50m);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.NotEqual(id, JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("redemptionId").GetGuid());
        await Problems.AssertAsync(await _shop.PostAsync($"/api/coupons/redemptions/{Guid.CreateVersion7()}/reverse", null), HttpStatusCode.NotFound, "redemption-not-found");
    }

    [Fact]
    public async Task Reverses_racing_redeems_at_the_limit_never_pass_it_and_the_count_stays_exact()
    {
        var code = await api.CreateCouponAsync(new { usageLimit = 10 });
        var held = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            var body = JsonDocument.Parse(await (await _shop.RedeemAsync(code, $"first-{i}", $"first-{i}", 50m)).Content.ReadAsStringAsync()).RootElement;
            held.Add(body.GetProperty("redemptionId").GetGuid());
        }

        var reverses = held.Take(5).Select(id => _shop.PostAsync($"/api/coupons/redemptions/{id}/reverse", null));
        var redeems = Enumerable.Range(0, 40).Select(i => _shop.RedeemAsync(code, $"next-{i}", $"next-{i}", 50m));
        var answers = await Task.WhenAll(reverses.Concat(redeems));

        Assert.All(answers.Take(5), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var granted = answers.Skip(5).Count(a => a.StatusCode == HttpStatusCode.Created);
        Assert.InRange(granted, 0, 5);
        Assert.All(answers.Skip(5), a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.Equal(5 + granted, await api.UsageCountAsync(code));
        Assert.Equal(5L + granted, await StandingAsync(code));
    }

    private Task<long> StandingAsync(string code) =>
        api.ScalarAsync<long>(
            "SELECT count(*) FROM coupon_usage u JOIN coupons c ON c.id = u.coupon_id WHERE c.code = $1 AND u.reversed_at IS NULL", code);
}
