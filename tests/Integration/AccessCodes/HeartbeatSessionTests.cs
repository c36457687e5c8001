using System.Net;
using System.Net.Http.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.AccessCodes;

public sealed class HeartbeatSessionTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    private sealed record Claimed(Guid SessionId, string Code, int UsageCount, int Remaining);

    [Fact]
    public async Task Heartbeat_returns_204_and_records_the_activity()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 3);
        var session = await ClaimAsync(code);
        var idleSince = await MakeIdleAsync(session);

        var response = await api.Client.PostAsync($"/api/sessions/{session}/heartbeat", null);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        var lastActivity = await LastActivityAsync(session);
        Assert.True(lastActivity > idleSince, $"last_activity {lastActivity:O} did not move past {idleSince:O}");
        Assert.True(
            await api.ScalarAsync<bool>("SELECT last_activity > now() - interval '1 minute' FROM sessions WHERE id = $1", session));
        Assert.Equal(1, await api.ScalarAsync<int>("SELECT usage_count FROM access_codes WHERE code = $1", code));
        Assert.True(await api.ScalarAsync<bool>("SELECT ended_at IS NULL FROM sessions WHERE id = $1", session));
    }

    [Fact]
    public async Task Heartbeat_touches_only_its_own_session()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 3);
        var beating = await ClaimAsync(code);
        var other = await ClaimAsync(code);
        await MakeIdleAsync(beating);
        var otherIdleSince = await MakeIdleAsync(other);

        (await api.Client.PostAsync($"/api/sessions/{beating}/heartbeat", null)).EnsureSuccessStatusCode();

        Assert.Equal(otherIdleSince, await LastActivityAsync(other));
    }

    [Fact]
    public async Task Heartbeat_returns_410_session_ended_after_the_session_ended_and_changes_nothing()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 3);
        var session = await ClaimAsync(code);
        (await api.Client.PostAsync($"/api/sessions/{session}/end", null)).EnsureSuccessStatusCode();
        var idleSince = await MakeIdleAsync(session);

        var response = await api.Client.PostAsync($"/api/sessions/{session}/heartbeat", null);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.Gone, "session-ended");
        Assert.Contains(session.ToString(), problem.GetProperty("detail").GetString());
        Assert.Equal(idleSince, await LastActivityAsync(session));
        Assert.Equal(0, await api.ScalarAsync<int>("SELECT usage_count FROM access_codes WHERE code = $1", code));
    }

    [Fact]
    public async Task Heartbeat_returns_404_session_not_found_for_an_unknown_session()
    {
        var unknown = Guid.NewGuid();

        var response = await api.Client.PostAsync($"/api/sessions/{unknown}/heartbeat", null);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.NotFound, "session-not-found");
        Assert.Contains(unknown.ToString(), problem.GetProperty("detail").GetString());
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE id = $1", unknown));
    }

    private async Task<Guid> ClaimAsync(string code)
    {
        var response = await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Claimed>())!.SessionId;
    }

    /// <summary>Moves the session's last activity an hour back, so a heartbeat's write is unmistakable.</summary>
    private Task<DateTime> MakeIdleAsync(Guid session) =>
        api.ScalarAsync<DateTime>(
            "UPDATE sessions SET last_activity = now() - interval '1 hour' WHERE id = $1 RETURNING last_activity", session);

    private Task<DateTime> LastActivityAsync(Guid session) =>
        api.ScalarAsync<DateTime>("SELECT last_activity FROM sessions WHERE id = $1", session);
}
