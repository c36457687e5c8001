using System.Net;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;
using Npgsql;

namespace Capacity.IntegrationTests.Coupons;

/// <summary>The API with a short wait for a coupon's row, so a held row shows within the test.</summary>
public sealed class ShortLockApiFactory : CapacityApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Redemptions:LockTimeout"] = "00:00:00.200",
    };
}

/// <summary>A reversal whose coupon row stays held past the lock timeout is a 503 with Retry-After, never a 500, and changes nothing.</summary>
public sealed class ReverseBusyTests(ShortLockApiFactory api) : IClassFixture<ShortLockApiFactory>
{
    [Fact]
    public async Task A_reversal_that_cannot_lock_its_coupon_is_503_redemption_busy_and_works_once_the_row_is_free()
    {
        var shop = await api.ShopClientAsync();
        var code = await api.CreateCouponAsync();
        var redeemed = JsonDocument.Parse(await (await shop.RedeemAsync(code, "u-1", "o-1", 10m)).Content.ReadAsStringAsync()).RootElement;
        var id = redeemed.GetProperty("redemptionId").GetGuid();

        await using (var holder = new NpgsqlConnection(api.ConnectionString))
        {
            await holder.OpenAsync();
            await using var transaction = await holder.BeginTransactionAsync();
            await using (var hold = new NpgsqlCommand("SELECT 1 FROM coupons WHERE code = $1 FOR UPDATE", holder, transaction))
            {
                hold.Parameters.Add(new NpgsqlParameter { Value = code });
                await hold.ExecuteScalarAsync();
            }

            var busy = await shop.PostAsync($"/api/coupons/redemptions/{id}/reverse", null);
            await Problems.AssertAsync(busy, HttpStatusCode.ServiceUnavailable, "redemption-busy");
            Assert.NotNull(busy.Headers.RetryAfter);
            await transaction.RollbackAsync();
        }

        Assert.Equal(1, await api.UsageCountAsync(code));
        var reversed = await shop.PostAsync($"/api/coupons/redemptions/{id}/reverse", null);
        Assert.Equal(HttpStatusCode.OK, reversed.StatusCode);
        Assert.True(JsonDocument.Parse(await reversed.Content.ReadAsStringAsync()).RootElement.GetProperty("reversed").GetBoolean());
        Assert.Equal(0, await api.UsageCountAsync(code));
    }
}
