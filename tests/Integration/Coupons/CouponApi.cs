using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.Domain.Clients;
using Capacity.IntegrationTests.Clients;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Coupons;

/// <summary>What the coupon tests do through the API: create coupons as admin, validate and redeem as a shop client.</summary>
public static class CouponApi
{
    /// <summary>A client holding the coupons scope, as the shop backend of the seed.</summary>
    public static async Task<HttpClient> ShopClientAsync(this CapacityApiFactory api)
    {
        var shop = await api.CreateClientAsync(ClientScopes.Coupons);
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", shop.Key);
        return http;
    }

    /// <summary>Creates a coupon (defaults: an open time coupon, 10 % off) and returns its upper-case code.</summary>
    public static async Task<string> CreateCouponAsync(this CapacityApiFactory api, object? overrides = null)
    {
        var code = "C-" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        var body = new Dictionary<string, object?>
        {
            ["code"] = code,
            ["kind"] = "time",
            ["validFrom"] = DateTimeOffset.UtcNow.AddDays(-1),
            ["validTo"] = DateTimeOffset.UtcNow.AddDays(30),
            ["discountType"] = "percent",
            ["discountValue"] = 10m,
        };
        if (overrides is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(overrides, JsonOptions).EnumerateObject())
            {
                body[property.Name] = property.Value;
            }
        }

        var response = await api.AdminClient.PostAsJsonAsync("/api/admin/coupons", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return code;
    }

    public static async Task<JsonElement> ValidateAsync(this HttpClient shop, string code, string userId, decimal orderValue, string? orderId = null)
    {
        var response = await shop.PostAsJsonAsync("/api/coupons/validate", new { code, userId, orderId, orderValue });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement;
    }

    public static Task<HttpResponseMessage> RedeemAsync(this HttpClient shop, string code, string userId, string orderId, decimal orderValue) =>
        shop.PostAsJsonAsync("/api/coupons/redeem", new { code, userId, orderId, orderValue });

    public static async Task<int> UsageCountAsync(this CapacityApiFactory api, string code) =>
        JsonDocument.Parse(await api.AdminClient.GetStringAsync($"/api/admin/coupons/{code}")).RootElement.GetProperty("usageCount").GetInt32();

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
