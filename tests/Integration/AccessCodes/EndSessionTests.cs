using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.AccessCodes;

public sealed class EndSessionTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    private sealed record Claimed(Guid SessionId, string Code, int UsageCount, int Remaining);

    private sealed record Ended(bool Released, int UsageCount, string Code);

    [Fact]
    public async Task End_returns_200_released_and_frees_the_seat()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 5);
        var session = await ClaimAsync(code);

        var response = await api.Client.PostAsync($"/api/sessions/{session}/end", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(new[] { "released", "usageCount", "code" }, json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(new Ended(true, 0, code), json.Deserialize<Ended>(JsonSerializerOptions.Web));
        Assert.Equal(0, await UsageCountAsync(code));
        Assert.True(await api.ScalarAsync<bool>("SELECT ended_at IS NOT NULL FROM sessions WHERE id = $1", session));
    }

    [Fact]
    public async Task End_twice_releases_once_and_the_second_call_says_released_false()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 5);
        var ending = await ClaimAsync(code);
        await ClaimAsync(code);

        var first = await EndAsync(ending);
        var endedAt = await api.ScalarAsync<DateTime>("SELECT ended_at FROM sessions WHERE id = $1", ending);
        var second = await EndAsync(ending);

        Assert.Equal(new Ended(true, 1, code), first);
        Assert.Equal(new Ended(false, 1, code), second);
        Assert.Equal(1, await UsageCountAsync(code));
        Assert.Equal(endedAt, await api.ScalarAsync<DateTime>("SELECT ended_at FROM sessions WHERE id = $1", ending));
    }

    [Fact]
    public async Task Exactly_one_of_20_parallel_ends_of_one_session_releases_its_seat()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 5);
        var ending = await ClaimAsync(code);
        await ClaimAsync(code);
        await ClaimAsync(code);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            api.Client.PostAsync($"/api/sessions/{ending}/end", null)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var ended = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<Ended>()));
        Assert.Single(ended, e => e!.Released);
        Assert.Equal(19, ended.Count(e => !e!.Released));
        Assert.All(ended, e => Assert.Equal(2, e!.UsageCount));
        Assert.Equal(2, await UsageCountAsync(code));
        Assert.Equal(2L, await OpenSessionsAsync(code));
    }

    [Fact]
    public async Task Parallel_ends_of_every_session_bring_usage_to_exactly_zero_and_never_below()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 10);
        var sessions = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            sessions.Add(await ClaimAsync(code));
        }

        var responses = await Task.WhenAll(sessions.SelectMany(s => Enumerable.Range(0, 3).Select(_ =>
            api.Client.PostAsync($"/api/sessions/{s}/end", null))));

        var ended = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<Ended>()));
        Assert.Equal(10, ended.Count(e => e!.Released));
        Assert.All(ended, e => Assert.InRange(e!.UsageCount, 0, 9));
        Assert.Equal(0, await UsageCountAsync(code));
        Assert.Equal(0L, await OpenSessionsAsync(code));
    }

    [Fact]
    public async Task End_never_takes_usage_below_zero_even_when_the_count_was_already_zero()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 2);
        var session = await ClaimAsync(code);
        await api.ScalarAsync<int>("UPDATE access_codes SET usage_count = 0 WHERE code = $1 RETURNING usage_count", code);

        var ended = await EndAsync(session);

        Assert.Equal(new Ended(true, 0, code), ended);
        Assert.Equal(0, await UsageCountAsync(code));
    }

    [Fact]
    public async Task End_frees_a_seat_of_a_full_code_for_the_next_person()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: 1);
        var session = await ClaimAsync(code);
        await Problems.AssertAsync(
            await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code }), HttpStatusCode.Conflict, "access-code-full");

        await EndAsync(session);

        var next = await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code });
        Assert.Equal(HttpStatusCode.Created, next.StatusCode);
        Assert.Equal(1, await UsageCountAsync(code));
    }

    [Fact]
    public async Task End_returns_404_session_not_found_for_an_unknown_session()
    {
        var unknown = Guid.NewGuid();

        var response = await api.Client.PostAsync($"/api/sessions/{unknown}/end", null);

        var problem = await Problems.AssertAsync(response, HttpStatusCode.NotFound, "session-not-found");
        Assert.Contains(unknown.ToString(), problem.GetProperty("detail").GetString());
    }

    private async Task<Guid> ClaimAsync(string code)
    {
        var response = await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Claimed>())!.SessionId;
    }

    private async Task<Ended> EndAsync(Guid session)
    {
        var response = await api.Client.PostAsync($"/api/sessions/{session}/end", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Ended>())!;
    }

    private Task<int> UsageCountAsync(string code) =>
        api.ScalarAsync<int>("SELECT usage_count FROM access_codes WHERE code = $1", code);

    private Task<long> OpenSessionsAsync(string code) =>
        api.ScalarAsync<long>(
            "SELECT count(*) FROM sessions s JOIN access_codes a ON a.id = s.code_id WHERE a.code = $1 AND s.ended_at IS NULL", code);
}
