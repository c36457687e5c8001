using System.Net;
using System.Net.Http.Json;
using Capacity.Domain.Clients;
using Capacity.IntegrationTests.Clients;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Coupons;

/// <summary>
/// A flash sale: hundreds of clients redeem ONE coupon. Redemptions of one coupon coalesce into shared transactions, the
/// limit holds exactly, and two API processes on one database never grant one too many.
/// </summary>
public sealed class HotCouponTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>, IAsyncLifetime
{
    private HttpClient _shop = null!;

    public async Task InitializeAsync() => _shop = await api.ShopClientAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Four_hundred_parallel_redeems_of_one_coupon_share_transactions_and_a_limit_of_150_gives_exactly_150()
    {
        var code = await api.CreateCouponAsync(new { usageLimit = 150 });

        var answers = await Task.WhenAll(Enumerable.Range(0, 400).Select(i => _shop.RedeemAsync(code, $"u-{i}", $"o-{i}", 20m)));

        Assert.Equal(150, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(250, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(150, await api.UsageCountAsync(code));
        // Every redemption of one transaction carries that transaction's time: fewer distinct times than grants means
        // redemptions shared transactions (one commit per redemption would give 150).
        var transactions = await api.ScalarAsync<long>(
            "SELECT count(DISTINCT u.redeemed_at) FROM coupon_usage u JOIN coupons c ON c.id = u.coupon_id WHERE c.code = $1", code);
        Assert.InRange(transactions, 1, 149);
    }

    [Fact]
    public async Task Two_processes_redeeming_one_coupon_grant_exactly_its_limit()
    {
        var code = await api.CreateCouponAsync(new { usageLimit = 300 });
        await using var second = await api.StartSecondInstanceAsync();
        var key = await api.CreateClientAsync(ClientScopes.Coupons);
        second.Client.DefaultRequestHeaders.Add("X-Api-Key", key.Key);

        var answers = await Task.WhenAll(Enumerable.Range(0, 800).Select(i =>
            (i % 2 == 0 ? _shop : second.Client).PostAsJsonAsync("/api/coupons/redeem", new { code, userId = $"u-{i}", orderId = $"o-{i}", orderValue = 20m })));

        Assert.Equal(300, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.Equal(500, answers.Count(a => a.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(300, await api.UsageCountAsync(code));
        Assert.Equal(300L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM coupon_usage u JOIN coupons c ON c.id = u.coupon_id WHERE c.code = $1 AND u.reversed_at IS NULL", code));
    }
}
