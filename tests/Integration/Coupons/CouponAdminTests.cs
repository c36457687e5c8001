using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Coupons;

/// <summary>Coupon definitions through the admin routes.</summary>
public sealed class CouponAdminTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    [Fact]
    public async Task Create_answers_201_with_the_coupon_and_money_in_2_places()
    {
        var response = await api.AdminClient.PostAsJsonAsync("/api/admin/coupons", new
        {
            code = "new-user-coupon",
            kind = "user",
            userId = "user_0000042",
            discountType = "fixed",
            discountValue = 7.5m,
            minOrderValue = 20m,
            usageLimit = 3,
            perUserLimit = 1,
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/api/admin/coupons/NEW-USER-COUPON", response.Headers.Location?.OriginalString);
        var coupon = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("NEW-USER-COUPON", coupon.GetProperty("code").GetString());
        Assert.Equal("user", coupon.GetProperty("kind").GetString());
        Assert.Equal("active", coupon.GetProperty("status").GetString());
        Assert.Equal("7.50", coupon.GetProperty("discountValue").GetRawText());
        Assert.Equal("20.00", coupon.GetProperty("minOrderValue").GetRawText());
        Assert.Equal(0, coupon.GetProperty("usageCount").GetInt32());
        Assert.Equal(7, coupon.GetProperty("id").GetGuid().Version);
        Assert.Equal(7.50m, await api.ScalarAsync<decimal>("SELECT discount_value FROM coupons WHERE code = 'NEW-USER-COUPON'"));

        await Problems.AssertAsync(
            await api.AdminClient.PostAsJsonAsync("/api/admin/coupons", new { code = "NEW-USER-COUPON", kind = "user", userId = "x", discountType = "fixed", discountValue = 1 }),
            HttpStatusCode.Conflict, "coupon-exists");
    }

    [Theory]
    [InlineData("""{"code":"A1","kind":"time","validFrom":"2030-01-01T00:00:00Z","validTo":"2030-02-01T00:00:00Z","discountType":"fixed","discountValue":1}""", "code")]
    [InlineData("""{"code":"ABC","kind":"user","discountType":"fixed","discountValue":1}""", "userId")]
    [InlineData("""{"code":"ABC","kind":"time","validTo":"2030-02-01T00:00:00Z","discountType":"fixed","discountValue":1}""", "validFrom")]
    [InlineData("""{"code":"ABC","kind":"time","validFrom":"2030-02-01T00:00:00Z","validTo":"2030-01-01T00:00:00Z","discountType":"fixed","discountValue":1}""", "validTo")]
    [InlineData("""{"code":"ABC","kind":"other","discountType":"fixed","discountValue":1}""", "kind")]
    [InlineData("""{"code":"ABC","kind":"user","userId":"u","discountType":"percent","discountValue":100.5}""", "discountValue")]
    [InlineData("""{"code":"ABC","kind":"user","userId":"u","discountType":"fixed","discountValue":0}""", "discountValue")]
    [InlineData("""{"code":"ABC","kind":"user","userId":"u","discountType":"fixed","discountValue":1.234}""", "discountValue")]
    [InlineData("""{"code":"ABC","kind":"user","userId":"u","discountType":"bogus","discountValue":1}""", "discountType")]
    [InlineData("""{"code":"ABC","kind":"user","userId":"u","discountType":"fixed","discountValue":1,"usageLimit":0}""", "usageLimit")]
    [InlineData("""{"code":"ABC","kind":"user","userId":"u","discountType":"fixed","discountValue":1,"perUserLimit":-1}""", "perUserLimit")]
    [InlineData("""{"code":"ABC","kind":"user","userId":"u","discountType":"fixed","discountValue":1,"status":"paused"}""", "status")]
    [InlineData("""{"code":"ABC","kind":"user","userId":"u","discountType":"fixed","discountValue":1,"maxDiscount":0}""", "maxDiscount")]
    public async Task Bad_input_is_a_400_naming_the_field(string json, string field)
    {
        var response = await api.AdminClient.PostAsync("/api/admin/coupons", new StringContent(json, Encoding.UTF8, "application/json"));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
    }

    [Fact]
    public async Task Get_shows_the_live_usage_count_and_unknown_is_404()
    {
        var code = await api.CreateCouponAsync();
        var shop = await api.ShopClientAsync();
        await shop.RedeemAsync(code, "u-1", "o-1", 10m);

        Assert.Equal(1, await api.UsageCountAsync(code));
        await Problems.AssertAsync(await api.AdminClient.GetAsync("/api/admin/coupons/NOPE-NOPE"), HttpStatusCode.NotFound, "coupon-not-found");
        await Problems.AssertAsync(await api.AdminClient.PostAsync("/api/admin/coupons/NOPE-NOPE/deactivate", null), HttpStatusCode.NotFound, "coupon-not-found");
    }

    [Fact]
    public async Task List_filters_by_effective_status_and_kind()
    {
        await api.ResetDatabaseAsync();
        var active = await api.CreateCouponAsync();
        var inactive = await api.CreateCouponAsync(new { status = "inactive" });
        var lapsed = await api.CreateCouponAsync(new { validFrom = "2020-01-01T00:00:00Z", validTo = "2020-02-01T00:00:00Z" });
        var user = await api.CreateCouponAsync(new { kind = "user", userId = "u-1", validFrom = (string?)null, validTo = (string?)null });

        Assert.Equal(new[] { active, user }.Order(), await CodesAsync("?status=active"));
        Assert.Equal([inactive], await CodesAsync("?status=inactive"));
        Assert.Equal([lapsed], await CodesAsync("?status=expired"));
        Assert.Equal([user], await CodesAsync("?kind=user"));
        Assert.Equal(new[] { active, inactive, lapsed }.Order(), await CodesAsync("?kind=time"));
        var page = JsonDocument.Parse(await api.AdminClient.GetStringAsync("/api/admin/coupons?limit=3&page=2")).RootElement;
        Assert.Equal(4, page.GetProperty("pagination").GetProperty("total").GetInt64());
        Assert.Single(page.GetProperty("data").EnumerateArray());
        await Problems.AssertAsync(await api.AdminClient.GetAsync("/api/admin/coupons?status=paused"), HttpStatusCode.BadRequest, "validation");
    }

    private async Task<string[]> CodesAsync(string query) =>
        JsonDocument.Parse(await api.AdminClient.GetStringAsync("/api/admin/coupons" + query)).RootElement
            .GetProperty("data").EnumerateArray().Select(c => c.GetProperty("code").GetString()!).ToArray();
}
