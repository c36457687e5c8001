using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Coupons;

/// <summary>Validation through HTTP against PostgreSQL: every reason, in its order, and every money edge.</summary>
public sealed class ValidateCouponTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>, IAsyncLifetime
{
    private HttpClient _shop = null!;

    public async Task InitializeAsync() => _shop = await api.ShopClientAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_valid_coupon_answers_its_discount_and_final_amount()
    {
        var code = await api.CreateCouponAsync(new { discountValue = 15m });

        var answer = await _shop.ValidateAsync(code.ToLowerInvariant(), "u-1", 200m);

        Assert.True(answer.GetProperty("isValid").GetBoolean());
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("reason").ValueKind);
        Assert.Equal("30.00", answer.GetProperty("discountApplied").GetRawText());
        Assert.Equal("170.00", answer.GetProperty("finalAmount").GetRawText());
    }

    [Fact]
    public async Task Unknown_coupon_is_not_found_as_a_200()
    {
        var answer = await _shop.ValidateAsync("NO-SUCH-COUPON", "u-1", 10m);

        AssertInvalid(answer, "not_found", 10m);
    }

    public static TheoryData<string, string> RuleCases => new()
    {
        { "inactive", """{"status":"inactive"}""" },
        { "expired", """{"status":"expired"}""" },
        { "expired", """{"validFrom":"2020-01-01T00:00:00Z","validTo":"2020-02-01T00:00:00Z"}""" },
        { "not_started", """{"validFrom":"2099-01-01T00:00:00Z","validTo":"2099-02-01T00:00:00Z"}""" },
        { "wrong_user", """{"kind":"user","userId":"somebody-else","validFrom":null,"validTo":null}""" },
        { "min_order_not_met", """{"minOrderValue":100.01}""" },
        // Several apply: the first in the documented order wins.
        { "inactive", """{"status":"inactive","validFrom":"2099-01-01T00:00:00Z","validTo":"2099-02-01T00:00:00Z","minOrderValue":500}""" },
        { "expired", """{"kind":"user","userId":"somebody-else","status":"expired"}""" },
        { "not_started", """{"kind":"user","userId":"somebody-else","validFrom":"2099-01-01T00:00:00Z","validTo":"2099-02-01T00:00:00Z"}""" },
        { "wrong_user", """{"kind":"user","userId":"somebody-else","minOrderValue":500}""" },
    };

    [Theory]
    [MemberData(nameof(RuleCases))]
    public async Task Each_rule_reason_and_the_first_of_several_wins(string reason, string overrides)
    {
        var code = await api.CreateCouponAsync(JsonDocument.Parse(overrides).RootElement);

        AssertInvalid(await _shop.ValidateAsync(code, "u-1", 100m), reason, 100m);
    }

    [Fact]
    public async Task Counts_give_order_already_used_then_usage_then_user_limit()
    {
        var code = await api.CreateCouponAsync(new { usageLimit = 2, perUserLimit = 1 });
        Assert.Equal(HttpStatusCode.Created, (await _shop.RedeemAsync(code, "u-1", "o-1", 50m)).StatusCode);

        AssertInvalid(await _shop.ValidateAsync(code, "u-2", 50m, "o-1"), "order_already_used", 50m);
        AssertInvalid(await _shop.ValidateAsync(code, "u-1", 50m, "o-2"), "user_limit_reached", 50m);
        Assert.True((await _shop.ValidateAsync(code, "u-2", 50m, "o-2")).GetProperty("isValid").GetBoolean());

        Assert.Equal(HttpStatusCode.Created, (await _shop.RedeemAsync(code, "u-2", "o-2", 50m)).StatusCode);
        AssertInvalid(await _shop.ValidateAsync(code, "u-3", 50m, "o-3"), "usage_limit_reached", 50m);

        // Usage before user: the total limit is checked first when both apply.
        AssertInvalid(await _shop.ValidateAsync(code, "u-1", 50m, "o-4"), "usage_limit_reached", 50m);
        // The order before the limits.
        AssertInvalid(await _shop.ValidateAsync(code, "u-1", 50m, "o-1"), "order_already_used", 50m);
    }

    public static TheoryData<string, decimal, string, string> MoneyCases => new()
    {
        // percent capped by maxDiscount
        { """{"discountValue":50,"maxDiscount":30}""", 100m, "30.00", "70.00" },
        // fixed above the order value: never negative
        { """{"discountType":"fixed","discountValue":80}""", 50m, "50.00", "0.00" },
        // rounding half away from zero: 12.5 % of 0.20 = 0.025 -> 0.03 (half to even would give 0.02)
        { """{"discountValue":12.5}""", 0.20m, "0.03", "0.17" },
        // 33.33 % of 10.05 = 3.349665 -> 3.35
        { """{"discountValue":33.33}""", 10.05m, "3.35", "6.70" },
        // a 100 % coupon on a zero order
        { """{"discountValue":100}""", 0m, "0.00", "0.00" },
        // the largest order
        { """{"discountType":"fixed","discountValue":0.01}""", 9999999999.99m, "0.01", "9999999999.98" },
    };

    [Theory]
    [MemberData(nameof(MoneyCases))]
    public async Task Money_edges(string overrides, decimal orderValue, string discount, string final)
    {
        var code = await api.CreateCouponAsync(JsonDocument.Parse(overrides).RootElement);

        var answer = await _shop.ValidateAsync(code, "u-1", orderValue);

        Assert.True(answer.GetProperty("isValid").GetBoolean(), answer.GetRawText());
        Assert.Equal(discount, answer.GetProperty("discountApplied").GetRawText());
        Assert.Equal(final, answer.GetProperty("finalAmount").GetRawText());
    }

    [Theory]
    [InlineData("""{"code":"X!","userId":"u","orderValue":1}""", "code")]
    [InlineData("""{"code":"ABC","userId":"","orderValue":1}""", "userId")]
    [InlineData("""{"code":"ABC","userId":"u","orderValue":-1}""", "orderValue")]
    [InlineData("""{"code":"ABC","userId":"u","orderValue":1.001}""", "orderValue")]
    [InlineData("""{"code":"ABC","userId":"u","orderValue":10000000000}""", "orderValue")]
    [InlineData("""{"code":"ABC","userId":"u"}""", "orderValue")]
    [InlineData("""{"code":"ABC","userId":"u","orderValue":1,"orderId":"a b"}""", "orderId")]
    public async Task Malformed_input_is_a_400_naming_the_field(string json, string field)
    {
        var response = await _shop.PostAsync("/api/coupons/validate", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
    }

    [Fact]
    public async Task Validation_needs_the_coupons_scope()
    {
        var code = await api.CreateCouponAsync();

        var anonymous = await api.Client.PostAsJsonAsync("/api/coupons/validate", new { code, userId = "u", orderValue = 1 });
        await Problems.AssertAsync(anonymous, HttpStatusCode.Unauthorized, "api-key-missing");
    }

    [Fact]
    public async Task A_deactivated_coupon_is_inactive_at_once_although_its_definition_was_cached()
    {
        var code = await api.CreateCouponAsync();
        Assert.True((await _shop.ValidateAsync(code, "u-1", 10m)).GetProperty("isValid").GetBoolean());

        Assert.Equal(HttpStatusCode.OK, (await api.AdminClient.PostAsync($"/api/admin/coupons/{code}/deactivate", null)).StatusCode);

        AssertInvalid(await _shop.ValidateAsync(code, "u-1", 10m), "inactive", 10m);
    }

    [Fact]
    public async Task A_coupon_created_after_a_not_found_validation_is_found_at_once()
    {
        var code = "LATE-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        AssertInvalid(await _shop.ValidateAsync(code, "u-1", 10m), "not_found", 10m);

        await api.CreateCouponAsync(new { code });

        Assert.True((await _shop.ValidateAsync(code, "u-1", 10m)).GetProperty("isValid").GetBoolean());
    }

    private static void AssertInvalid(JsonElement answer, string reason, decimal orderValue)
    {
        Assert.False(answer.GetProperty("isValid").GetBoolean(), answer.GetRawText());
        Assert.Equal(reason, answer.GetProperty("reason").GetString());
        Assert.Equal("0.00", answer.GetProperty("discountApplied").GetRawText());
        Assert.Equal(orderValue, answer.GetProperty("finalAmount").GetDecimal());
    }
}
