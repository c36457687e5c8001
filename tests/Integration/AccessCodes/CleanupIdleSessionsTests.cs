using System.Net;
using System.Net.Http.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.AccessCodes;

public sealed class CleanupIdleSessionsTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    private sealed record Claimed(Guid SessionId);

    private sealed record CodeCleanup(string Code, int SessionsEnded, int SeatsReleased);

    private sealed record Cleanup(int SessionsEnded, int SeatsReleased, List<CodeCleanup> ByCode);

    [Fact]
    public async Task Cleanup_ends_exactly_the_idle_sessions_and_frees_their_seats()
    {
        var first = await api.CreateCodeAsync(maxUsageCount: 10);
        var second = await api.CreateCodeAsync(maxUsageCount: 10);
        var firstSessions = await ClaimAsync(first, 6);
        var secondSessions = await ClaimAsync(second, 3);

        // 4 of the first code's and 1 of the second's have been idle for an hour; the rest are fresh.
        var idle = firstSessions.Take(4).Concat(secondSessions.Take(1)).ToArray();
        await api.ScalarAsync<int>(
            "WITH aged AS (UPDATE sessions SET last_activity = now() - interval '60 minutes' WHERE id = ANY($1) RETURNING 1) SELECT count(*)::int FROM aged",
            idle);

        var response = await api.AdminClient.PostAsJsonAsync("/api/admin/sessions/cleanup", new { idleMinutes = 30 });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cleanup = await response.Content.ReadFromJsonAsync<Cleanup>();
        Assert.Equal(5, cleanup!.SessionsEnded);
        Assert.Equal(5, cleanup.SeatsReleased);
        Assert.Equal(
            new[] { new CodeCleanup(first, 4, 4), new CodeCleanup(second, 1, 1) }.OrderBy(c => c.Code, StringComparer.Ordinal),
            cleanup.ByCode);
        Assert.Equal(2, await api.ScalarAsync<int>("SELECT usage_count FROM access_codes WHERE code = $1", first));
        Assert.Equal(2, await api.ScalarAsync<int>("SELECT usage_count FROM access_codes WHERE code = $1", second));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE id = ANY($1) AND ended_at IS NULL", idle));
        Assert.Equal(4L, await api.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE ended_at IS NULL AND code_id IN (SELECT id FROM access_codes WHERE code = ANY($1))", (object)new[] { first, second }));

        // The GET shows the freed seats at once (the cleanup invalidated the cached entries).
        var code = await api.Client.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/access-codes/{first}");
        Assert.Equal(2, code.GetProperty("usageCount").GetInt32());

        // Ending an already cleaned-up session frees nothing more.
        var end = await api.Client.PostAsync($"/api/sessions/{idle[0]}/end", null);
        var ended = await end.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.False(ended.GetProperty("released").GetBoolean());
        Assert.Equal(2, await api.ScalarAsync<int>("SELECT usage_count FROM access_codes WHERE code = $1", first));
    }

    [Fact]
    public async Task Concurrent_cleanups_free_each_seat_once()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 50);
        var sessions = await ClaimAsync(code, 40);
        await api.ScalarAsync<int>(
            "WITH aged AS (UPDATE sessions SET last_activity = now() - interval '2 hours' WHERE id = ANY($1) RETURNING 1) SELECT count(*)::int FROM aged",
            sessions);

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            api.AdminClient.PostAsJsonAsync("/api/admin/sessions/cleanup", new { idleMinutes = 60 })));

        var cleanups = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<Cleanup>()));
        Assert.Equal(40, cleanups.Sum(c => c!.ByCode.Where(b => b.Code == code).Sum(b => b.SeatsReleased)));
        Assert.Equal(0, await api.ScalarAsync<int>("SELECT usage_count FROM access_codes WHERE code = $1", code));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"idleMinutes\":0}")]
    [InlineData("{\"idleMinutes\":-5}")]
    [InlineData("{\"idleMinutes\":10081}")]
    public async Task Cleanup_returns_400_for_a_missing_or_out_of_range_idle_time(string body)
    {
        var response = await api.AdminClient.PostAsync(
            "/api/admin/sessions/cleanup", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("idleMinutes", out _));
    }

    private async Task<Guid[]> ClaimAsync(string code, int count)
    {
        var sessions = new Guid[count];
        for (var i = 0; i < count; i++)
        {
            var response = await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code });
            response.EnsureSuccessStatusCode();
            sessions[i] = (await response.Content.ReadFromJsonAsync<Claimed>())!.SessionId;
        }

        return sessions;
    }
}
