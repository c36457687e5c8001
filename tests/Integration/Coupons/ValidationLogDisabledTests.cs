using System.Net;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Coupons;

public sealed class ValidationLogOffApiFactory : CapacityApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ValidationLog:Enabled"] = "false",
        ["ValidationLog:FlushInterval"] = "00:00:00.050",
    };
}

/// <summary>
/// <c>ValidationLog:Enabled=false</c> (the benchmark's "logging off" side): validations are answered as always, no row
/// is stored anywhere, and /health says the log is disabled rather than healthy-and-empty.
/// </summary>
public sealed class ValidationLogDisabledTests(ValidationLogOffApiFactory api) : IClassFixture<ValidationLogOffApiFactory>
{
    [Fact]
    public async Task Validations_are_answered_and_nothing_is_logged()
    {
        var shop = await api.ShopClientAsync();
        var code = await api.CreateCouponAsync(new { minOrderValue = 50m });

        var valid = await shop.ValidateAsync(code, "u-off", 80m);
        var invalid = await shop.ValidateAsync(code, "u-off", 20m);
        await Task.Delay(500);

        Assert.True(valid.GetProperty("isValid").GetBoolean());
        Assert.Equal("min_order_not_met", invalid.GetProperty("reason").GetString());
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM validation_logs"));
        var health = JsonDocument.Parse(await api.CreateClient().GetStringAsync("/health")).RootElement;
        var log = health.GetProperty("validationLog");
        Assert.False(log.GetProperty("enabled").GetBoolean());
        Assert.Equal(0, log.GetProperty("journalBytes").GetInt64());
        Assert.False(Directory.Exists(api.JournalDirectory) && Directory.EnumerateFiles(api.JournalDirectory, "journal-*").Any());
        Assert.Equal(HttpStatusCode.OK, (await api.AdminClient.GetAsync($"/api/admin/coupons/{code}/stats")).StatusCode);
    }
}
