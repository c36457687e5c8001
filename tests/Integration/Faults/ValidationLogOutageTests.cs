using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.IntegrationTests.Coupons;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Faults;

/// <summary>
/// PostgreSQL of the fault instance stops under validation traffic: the validations the API still answers (definitions
/// from the cache, rules that fail without a count) are logged to the journal and queue, the writer retries with
/// backoff, and once PostgreSQL is back every answered validation is stored exactly once.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class ValidationLogOutageTests(FaultFixture fault) : IAsyncLifetime
{
    public Task InitializeAsync() => fault.WaitUntilServingAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Rows_answered_while_postgres_is_down_are_all_stored_once_it_is_back()
    {
        var code = await fault.CreateCouponAsync(new { minOrderValue = 1000m });
        var shop = await fault.ShopClientAsync();
        var answered = 0;
        async Task ValidateAsync(int i)
        {
            var response = await shop.PostAsJsonAsync("/api/coupons/validate", new { code, userId = $"u-{i}", orderValue = 10m });
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.Equal("min_order_not_met", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("reason").GetString());
                answered++;
            }
        }

        // The definition is cached by the first validation.
        await ValidateAsync(0);
        await using (var outage = await fault.StopAsync(FaultService.Postgres))
        {
            for (var i = 1; i <= 200; i++)
            {
                await ValidateAsync(i);
            }

            Assert.True(answered > 150, $"only {answered} of 201 validations were answered during the outage");
            // /health is 503 while PostgreSQL is down; its body still says what the log holds.
            var health = JsonDocument.Parse(await (await fault.Client.GetAsync("/health")).Content.ReadAsStringAsync()).RootElement.GetProperty("validationLog");
            Assert.True(health.GetProperty("journalBytes").GetInt64() > 0);
            await outage.EndAsync();
        }

        var stored = await Poll.UntilAsync(
            () => fault.ScalarAsync<long>("SELECT count(*) FROM validation_logs WHERE coupon_code = $1", code),
            n => n >= answered,
            "the rows of the outage to be stored");
        await Task.Delay(500);
        Assert.Equal(answered, await fault.ScalarAsync<long>("SELECT count(*) FROM validation_logs WHERE coupon_code = $1", code));
        Assert.Equal(answered, stored);
    }
}
