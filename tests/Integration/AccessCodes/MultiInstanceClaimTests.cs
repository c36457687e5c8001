using System.Net;
using System.Net.Http.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.AccessCodes;

/// <summary>Two API processes on one database: coalescing is per instance, the row lock orders them.</summary>
public sealed class MultiInstanceClaimTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    [Fact]
    public async Task Exactly_the_capacity_is_granted_when_2000_claims_hit_two_instances_at_once()
    {
        await using var second = await api.StartSecondInstanceAsync();
        var code = await api.CreateCodeAsync(maxUsageCount: 400);

        var claims = Enumerable.Range(0, 2000).Select(i =>
            (i % 2 == 0 ? api.Client : second.Client).PostAsJsonAsync("/api/auth/code-login", new { code }));
        var responses = await Task.WhenAll(claims);

        var statuses = responses.GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(400, statuses.GetValueOrDefault(HttpStatusCode.Created));
        Assert.Equal(1600, statuses.GetValueOrDefault(HttpStatusCode.Conflict));
        Assert.Equal(2000, statuses.Values.Sum());
        Assert.Equal(400, await api.ScalarAsync<int>("SELECT usage_count FROM access_codes WHERE code = $1", code));
        Assert.Equal(400L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM sessions s JOIN access_codes a ON a.id = s.code_id WHERE a.code = $1 AND s.ended_at IS NULL", code));

        // Both instances read the same truth: the second one's GET shows the code full.
        var seen = await second.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/access-codes/{code}");
        Assert.Equal(400, seen.GetProperty("usageCount").GetInt32());
    }
}
