using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.Application.AccessCodes;
using Capacity.Domain.Common;
using Capacity.IntegrationTests.AccessCodes;
using Capacity.IntegrationTests.Fixtures;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.IntegrationTests.Faults;

/// <summary>PostgreSQL of the fault instance stops: what still answers, how fast the rest fails, and recovery.</summary>
[Collection(FaultCollection.Name)]
public sealed class DatabaseOutageTests(FaultFixture fault) : IAsyncLifetime
{
    private sealed record Claimed(Guid SessionId, string Code, int UsageCount, int Remaining);

    private sealed record AccessCode(string Code, int UsageCount, int MaxUsageCount);

    private sealed record Timed(HttpResponseMessage Response, TimeSpan Elapsed);

    public Task InitializeAsync() => fault.WaitUntilServingAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Cached_code_is_served_and_claims_fail_fast_without_losing_seats_when_postgres_stops_and_returns()
    {
        var code = await fault.CreateCodeAsync(maxUsageCount: 50);
        var granted = 0;
        await AssertGrantedAsync(await ClaimAsync(code), ++granted);
        await AssertGrantedAsync(await ClaimAsync(code), ++granted);
        Assert.Equal(granted, (await ReadAsync(code)).UsageCount);

        await using (var outage = await fault.StopAsync(FaultService.Postgres))
        {
            // A fresh cache hit never reaches the database nor asks the breaker.
            Assert.Equal(granted, (await ReadAsync(code)).UsageCount);

            var failedClaims = 0;
            await Poll.UntilAsync(
                async () =>
                {
                    await AssertFailsFastAsync(await TimedClaimAsync(code));
                    failedClaims++;
                    return await fault.HealthAsync();
                },
                health => health.Circuit == "Open",
                "failed claims to open the breaker");
            // Polly's breaker is ratio based: failures must reach half of all database calls in the 10 s sampling
            // window, which also holds the successes of the tests that ran just before. Bounded, not exact.
            Assert.InRange(failedClaims, 2, 200);

            // Degraded, not down: the instance still serves what it has cached, so readiness keeps it in rotation.
            var health = await fault.HealthAsync();
            Assert.Equal(HttpStatusCode.OK, health.Status);
            Assert.Equal(("Degraded", "Unhealthy", "Open"), (health.Overall, health.Database, health.Circuit));
            Assert.Equal(new FaultFixture.Probe(HttpStatusCode.OK, "Degraded"), await fault.ProbeAsync("/health/ready"));
            Assert.Equal(new FaultFixture.Probe(HttpStatusCode.OK, "Healthy"), await fault.ProbeAsync("/health/live"));

            // With the breaker open a claim still fails fast, now without trying the database.
            await AssertFailsFastAsync(await TimedClaimAsync(code));

            // Past its fresh duration the entry must be refreshed; the refresh fails, fail-safe serves the last value.
            var key = AccessCodeCache.CodeKey(code);
            await fault.Cache.ExpireAsync(key);
            var fresh = await fault.Cache.TryGetAsync<Application.Common.Caching.CachedValue<Result<AccessCodeResponse>>>(key, o => o.SetFailSafe(false));
            Assert.False(fresh.HasValue, "the entry should no longer be fresh after ExpireAsync");
            Assert.Equal(granted, (await ReadAsync(code)).UsageCount);
            Assert.Equal(granted, (await ReadAsync(code)).UsageCount);

            await outage.EndAsync();
        }

        await Poll.UntilAsync(
            () => fault.ProbeAsync("/health/ready"), p => p is { Status: HttpStatusCode.OK, Body: "Healthy" }, "/health/ready to answer 200 Healthy");

        // The breaker may still be open for a moment: until then claims keep failing fast, never anything else.
        var recovered = await Poll.UntilAsync(
            async () =>
            {
                var claim = await TimedClaimAsync(code);
                if (claim.Response.StatusCode != HttpStatusCode.Created)
                {
                    await AssertFailsFastAsync(claim);
                }

                return claim.Response;
            },
            response => response.StatusCode == HttpStatusCode.Created,
            "a claim to succeed after PostgreSQL restarted");
        await AssertGrantedAsync(recovered, ++granted);
        await AssertGrantedAsync(await ClaimAsync(code), ++granted);

        var shown = await Poll.UntilAsync(() => ReadAsync(code), c => c.UsageCount == granted, $"the code to show usageCount {granted}");
        Assert.Equal(granted, shown.UsageCount);
        Assert.Equal(granted, await fault.ScalarAsync<int>("SELECT usage_count FROM access_codes WHERE code = $1", code));
        Assert.Equal((long)granted, await fault.ScalarAsync<long>(
            "SELECT count(*) FROM sessions s JOIN access_codes a ON a.id = s.code_id WHERE a.code = $1 AND s.ended_at IS NULL", code));
    }

    [Fact]
    public async Task Read_of_an_uncached_code_returns_503_when_postgres_is_down()
    {
        var code = await fault.CreateCodeAsync(maxUsageCount: 5);

        await using (var outage = await fault.StopAsync(FaultService.Postgres))
        {
            var watch = Stopwatch.StartNew();
            var response = await fault.Client.GetAsync($"/api/access-codes/{code}");
            await AssertFailsFastAsync(new Timed(response, watch.Elapsed));

            await outage.EndAsync();
        }

        // Nothing was cached from the failure: once the database answers, the code is read from it.
        var read = await Poll.UntilAsync(
            async () =>
            {
                var response = await fault.Client.GetAsync($"/api/access-codes/{code}");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    await AssertUnavailableAsync(response);
                }

                return response;
            },
            response => response.StatusCode == HttpStatusCode.OK,
            "the code to be readable after PostgreSQL restarted");
        var shown = await read.Content.ReadFromJsonAsync<AccessCode>();
        Assert.Equal((code, 0, 5), (shown!.Code, shown.UsageCount, shown.MaxUsageCount));
    }

    [Fact]
    public async Task Validation_returns_400_when_postgres_is_down()
    {
        await using (var outage = await fault.StopAsync(FaultService.Postgres))
        {
            await Problems.AssertAsync(
                await fault.Client.PostAsJsonAsync("/api/auth/code-login", new { code = "!!" }), HttpStatusCode.BadRequest, "validation");
            await Problems.AssertAsync(
                await fault.Client.GetAsync("/api/access-codes/ab"), HttpStatusCode.BadRequest, "validation");
            Assert.Equal(new FaultFixture.Probe(HttpStatusCode.OK, "Degraded"), await fault.ProbeAsync("/health/ready"));

            await outage.EndAsync();
        }
    }

    private Task<HttpResponseMessage> ClaimAsync(string code) =>
        fault.Client.PostAsJsonAsync("/api/auth/code-login", new { code });

    private async Task<Timed> TimedClaimAsync(string code)
    {
        var watch = Stopwatch.StartNew();
        var response = await ClaimAsync(code);
        return new Timed(response, watch.Elapsed);
    }

    private async Task<AccessCode> ReadAsync(string code)
    {
        var response = await fault.Client.GetAsync($"/api/access-codes/{code}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200 for GET {code}, got {(int)response.StatusCode}: {body}");
        var read = JsonSerializer.Deserialize<AccessCode>(body, JsonSerializerOptions.Web)!;
        Assert.Equal(code, read.Code);
        return read;
    }

    private static async Task AssertGrantedAsync(HttpResponseMessage response, int usageCount)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Expected 201, got {(int)response.StatusCode}: {body}");
        var claimed = JsonSerializer.Deserialize<Claimed>(body, JsonSerializerOptions.Web)!;
        Assert.Equal(usageCount, claimed.UsageCount);
    }

    /// <summary>
    /// 503 database-unavailable with Retry-After, answered before the claim deadline: the request did not queue
    /// until it gave up (that would be a 503 "busy" at the deadline), it failed at once.
    /// </summary>
    private static async Task AssertFailsFastAsync(Timed timed)
    {
        await AssertUnavailableAsync(timed.Response);
        Assert.True(
            timed.Elapsed < FaultFixture.ClaimDeadline,
            $"A request failed after {timed.Elapsed.TotalMilliseconds:0} ms, not before the {FaultFixture.ClaimDeadline.TotalSeconds:0} s claim deadline.");
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        await Problems.AssertAsync(response, HttpStatusCode.ServiceUnavailable, "database-unavailable");
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter >= TimeSpan.FromSeconds(1), $"Retry-After should be at least 1 s, was '{response.Headers.RetryAfter}'.");
    }
}
