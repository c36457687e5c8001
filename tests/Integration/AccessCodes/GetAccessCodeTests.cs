using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.AccessCodes;

/// <summary>
/// The read is cached for 30 s; every change made through the API must show in the next read at once.
/// </summary>
public sealed class GetAccessCodeTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    private sealed record AccessCode(
        Guid Id, string Code, string Type, bool IsActive, DateTimeOffset? ExpiresAt, int UsageCount, int MaxUsageCount);

    private sealed record Claimed(Guid SessionId, string Code, int UsageCount, int Remaining);

    [Fact]
    public async Task Get_returns_200_with_the_code_as_created()
    {
        var expiresAt = new DateTimeOffset(2098, 6, 1, 12, 0, 0, TimeSpan.Zero);
        var create = await api.AdminClient.PostAsJsonAsync(
            "/api/admin/access-codes", new { code = "READ-ME", type = "bulk", maxUsageCount = 7, expiresAt });
        var created = await create.Content.ReadFromJsonAsync<AccessCode>();

        var response = await api.Client.GetAsync("/api/access-codes/READ-ME");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(
            new[] { "id", "code", "type", "isActive", "expiresAt", "usageCount", "maxUsageCount" },
            json.EnumerateObject().Select(p => p.Name));
        var read = json.Deserialize<AccessCode>(JsonSerializerOptions.Web);
        Assert.Equal(created, read);
        Assert.Equal(new AccessCode(created!.Id, "READ-ME", "bulk", true, expiresAt, 0, 7), read);
    }

    [Fact]
    public async Task Get_returns_404_access_code_not_found_for_an_unknown_code()
    {
        var response = await api.Client.GetAsync("/api/access-codes/never-created");

        var problem = await Problems.AssertAsync(response, HttpStatusCode.NotFound, "access-code-not-found");
        Assert.Contains("NEVER-CREATED", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Get_finds_a_code_created_right_after_a_read_answered_404()
    {
        await Problems.AssertAsync(
            await api.Client.GetAsync("/api/access-codes/LATE-CODE"), HttpStatusCode.NotFound, "access-code-not-found");

        await api.CreateCodeAsync(maxUsageCount: 2, "late-code");

        var read = await api.Client.GetFromJsonAsync<AccessCode>("/api/access-codes/LATE-CODE");
        Assert.Equal(2, read!.MaxUsageCount);
    }

    [Fact]
    public async Task Get_shows_a_claim_and_a_release_at_once()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 3);
        Assert.Equal(0, (await ReadAsync(code)).UsageCount);
        Assert.Equal(0, (await ReadAsync(code)).UsageCount);

        var claim = await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code });
        var claimed = await claim.Content.ReadFromJsonAsync<Claimed>();

        Assert.Equal(1, (await ReadAsync(code)).UsageCount);

        (await api.Client.PostAsync($"/api/sessions/{claimed!.SessionId}/end", null)).EnsureSuccessStatusCode();

        Assert.Equal(0, (await ReadAsync(code)).UsageCount);
    }

    [Fact]
    public async Task Get_matches_the_code_in_any_case_and_every_spelling_sees_the_same_usage()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 4, "Case-Blind");
        var lower = await ReadAsync("case-blind");
        Assert.Equal("CASE-BLIND", lower.Code);
        Assert.Equal(0, (await ReadAsync("CASE-BLIND")).UsageCount);

        (await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code = "cAsE-bLiNd" })).EnsureSuccessStatusCode();

        Assert.Equal(1, (await ReadAsync("case-blind")).UsageCount);
        Assert.Equal(1, (await ReadAsync("CASE-BLIND")).UsageCount);
        Assert.Equal(1, (await ReadAsync("Case-Blind")).UsageCount);
        Assert.Equal(code, lower.Code);
    }

    private async Task<AccessCode> ReadAsync(string code)
    {
        var response = await api.Client.GetAsync($"/api/access-codes/{code}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AccessCode>())!;
    }
}
