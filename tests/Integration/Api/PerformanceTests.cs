using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.IntegrationTests.AccessCodes;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Api;

public sealed class PerformanceTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    [Fact]
    public async Task Performance_api_reports_the_operations_just_performed()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 3);
        for (var i = 0; i < 5; i++)
        {
            await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code });
        }

        for (var i = 0; i < 4; i++)
        {
            await api.Client.GetAsync($"/api/access-codes/{code}");
        }

        var response = await api.AdminClient.GetAsync("/api/admin/performance");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var claims = Operation(body, "ClaimSeat.Command");
        Assert.Equal(5, claims.GetProperty("count").GetInt32());
        Assert.Equal(1.0, claims.GetProperty("successRate").GetDouble());
        Assert.True(claims.GetProperty("p99Ms").GetDouble() >= claims.GetProperty("p50Ms").GetDouble());
        Assert.Equal(0, claims.GetProperty("concurrency").GetInt32());
        Assert.Equal(4, Operation(body, "GetAccessCode.Query").GetProperty("count").GetInt32());

        var details = body.GetProperty("cache").GetProperty("queries").EnumerateArray()
            .Single(q => q.GetProperty("query").GetString() == "GetAccessCode.Query");
        Assert.Equal(3, details.GetProperty("hits").GetInt64());
        Assert.Equal(1, details.GetProperty("misses").GetInt64());
        Assert.True(body.GetProperty("cache").GetProperty("memoryEntries").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Array, body.GetProperty("alerts").ValueKind);
    }

    [Fact]
    public async Task Performance_api_requires_the_admin_key()
    {
        await Problems.AssertAsync(await api.Client.GetAsync("/api/admin/performance"), HttpStatusCode.Unauthorized, "api-key-missing");
    }

    private static JsonElement Operation(JsonElement body, string name) =>
        body.GetProperty("operations").EnumerateArray().Single(o => o.GetProperty("operation").GetString() == name);
}
