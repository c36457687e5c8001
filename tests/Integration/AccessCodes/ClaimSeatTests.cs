using System.Net;
using System.Net.Http.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.AccessCodes;

public sealed class ClaimSeatTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    private sealed record Claimed(Guid SessionId, string Code, int UsageCount, int Remaining);

    private sealed record Ended(bool Released, int UsageCount);

    [Fact]
    public async Task Exactly_the_capacity_is_granted_when_1000_clients_claim_a_400_seat_code_at_once()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 400);

        var responses = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ =>
            api.Client.PostAsJsonAsync("/api/auth/code-login", new { code })));

        var statuses = responses.GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(400, statuses.GetValueOrDefault(HttpStatusCode.Created));
        Assert.Equal(600, statuses.GetValueOrDefault(HttpStatusCode.Conflict));
        Assert.Equal(1000, statuses.Values.Sum());
        Assert.Equal(400, await UsageCountAsync(code));
        Assert.Equal(400L, await OpenSessionsAsync(code));

        var sessions = await Task.WhenAll(responses
            .Where(r => r.StatusCode == HttpStatusCode.Created)
            .Select(r => r.Content.ReadFromJsonAsync<Claimed>()));
        Assert.Equal(400, sessions.Select(s => s!.SessionId).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 400), sessions.Select(s => s!.UsageCount).Order());

        var ends = await Task.WhenAll(sessions.Select(s =>
            api.Client.PostAsync($"/api/sessions/{s!.SessionId}/end", null)));
        Assert.All(ends, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var ended = await Task.WhenAll(ends.Select(r => r.Content.ReadFromJsonAsync<Ended>()));
        Assert.All(ended, e => Assert.True(e!.Released));
        Assert.All(ended, e => Assert.InRange(e!.UsageCount, 0, 399));
        Assert.Equal(0, await UsageCountAsync(code));
        Assert.Equal(0L, await OpenSessionsAsync(code));
    }

    [Fact]
    public async Task Claim_returns_201_with_usage_and_remaining()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 3);

        var response = await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code = code.ToLowerInvariant() });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var claimed = await response.Content.ReadFromJsonAsync<Claimed>();
        Assert.Equal(code, claimed!.Code);
        Assert.Equal(1, claimed.UsageCount);
        Assert.Equal(2, claimed.Remaining);
        Assert.Equal($"/api/sessions/{claimed.SessionId}", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Claim_returns_409_when_code_is_full()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 1);
        (await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code })).EnsureSuccessStatusCode();

        var response = await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code });

        await Problems.AssertAsync(response, HttpStatusCode.Conflict, "access-code-full");
        Assert.Equal(1, await UsageCountAsync(code));
    }

    [Fact]
    public async Task Claim_returns_404_when_code_is_unknown()
    {
        var response = await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code = "NO-SUCH-CODE" });

        await Problems.AssertAsync(response, HttpStatusCode.NotFound, "access-code-not-found");
    }

    [Fact]
    public async Task Claim_returns_410_when_code_has_expired()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 5);
        await api.ScalarAsync<int>("UPDATE access_codes SET expires_at = now() - interval '1 second' WHERE code = $1 RETURNING 1", code);

        var response = await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code });

        await Problems.AssertAsync(response, HttpStatusCode.Gone, "access-code-expired");
        Assert.Equal(0, await UsageCountAsync(code));
    }

    [Fact]
    public async Task Claim_returns_410_when_code_is_inactive()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 5);
        await api.ScalarAsync<int>("UPDATE access_codes SET is_active = false WHERE code = $1 RETURNING 1", code);

        var response = await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code });

        await Problems.AssertAsync(response, HttpStatusCode.Gone, "access-code-inactive");
    }

    [Fact]
    public async Task Claim_with_the_same_client_ref_returns_the_open_session_instead_of_a_second_seat()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 10);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            api.Client.PostAsJsonAsync("/api/auth/code-login", new { code, clientRef = "device-42" })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var sessions = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<Claimed>()));
        Assert.Single(sessions.Select(s => s!.SessionId).Distinct());
        Assert.Equal(1, await UsageCountAsync(code));
    }

    [Fact]
    public async Task Claim_on_a_code_the_usage_cache_shows_full_is_refused_without_the_database_deciding()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 1);
        var first = await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code });
        var session = (await first.Content.ReadFromJsonAsync<Claimed>())!.SessionId;

        // A read caches the code, full.
        Assert.Equal(HttpStatusCode.OK, (await api.Client.GetAsync($"/api/access-codes/{code}")).StatusCode);

        // Free the seat behind the API's back: the cached entry (5 s) still says full, so the claim is refused
        // from the cache. The database would have granted it.
        await api.ScalarAsync<int>("UPDATE access_codes SET usage_count = 0 WHERE code = $1 RETURNING 0", code);
        await Problems.AssertAsync(
            await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code }), HttpStatusCode.Conflict, "access-code-full");

        // A change through the API invalidates the entry at once: the next claim goes to the database.
        await api.ScalarAsync<int>("UPDATE access_codes SET usage_count = 1 WHERE code = $1 RETURNING 0", code);
        (await api.Client.PostAsync($"/api/sessions/{session}/end", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Created, (await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code })).StatusCode);
    }

    private Task<int> UsageCountAsync(string code) =>
        api.ScalarAsync<int>("SELECT usage_count FROM access_codes WHERE code = $1", code);

    private Task<long> OpenSessionsAsync(string code) =>
        api.ScalarAsync<long>(
            "SELECT count(*) FROM sessions s JOIN access_codes a ON a.id = s.code_id WHERE a.code = $1 AND s.ended_at IS NULL", code);
}
