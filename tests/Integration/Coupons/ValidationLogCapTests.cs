using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Coupons;

/// <summary>The API with a journal capped at its smallest size (1 MiB) and a writer that never flushes during the test.</summary>
public sealed class CappedJournalApiFactory : CapacityApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ValidationLog:JournalMaxBytes"] = (1L << 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["ValidationLog:FlushInterval"] = "00:10:00",
        ["ValidationLog:BatchSize"] = "100000",
    };
}

/// <summary>At the journal's disk cap new rows are dropped and counted, the requests never fail, and /health says degraded.</summary>
public sealed class ValidationLogCapTests(CappedJournalApiFactory api) : IClassFixture<CappedJournalApiFactory>
{
    [Fact]
    public async Task At_the_cap_rows_are_dropped_and_counted_while_every_validation_is_answered()
    {
        var shop = await api.ShopClientAsync();
        var code = await api.CreateCouponAsync();

        // About 400 bytes a row: 4,000 rows pass 1 MiB.
        var statuses = new List<HttpStatusCode>();
        for (var round = 0; round < 40; round++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => shop.PostAsJsonAsync(
                "/api/coupons/validate", new { code, userId = $"user-{round}-{i}-{new string('x', 40)}", orderId = $"order-{round}-{i}", orderValue = 10m })));
            statuses.AddRange(answers.Select(a => a.StatusCode));
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        var response = await api.Client.GetAsync("/health");
        var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var log = health.GetProperty("validationLog");
        Assert.True(log.GetProperty("dropped").GetInt64() > 0, log.GetRawText());
        Assert.True(log.GetProperty("degraded").GetBoolean());
        Assert.InRange(log.GetProperty("journalBytes").GetInt64(), 1, 1L << 20);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Degraded", health.GetProperty("status").GetString());
    }
}
