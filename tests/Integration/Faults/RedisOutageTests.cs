using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.IntegrationTests.AccessCodes;

namespace Capacity.IntegrationTests.Faults;

/// <summary>Redis of the fault instance stops: the API keeps serving from its memory cache and the database.</summary>
[Collection(FaultCollection.Name)]
public sealed class RedisOutageTests(FaultFixture fault) : IAsyncLifetime
{
    private sealed record Claimed(Guid SessionId, string Code, int UsageCount, int Remaining);

    private sealed record AccessCode(string Code, int UsageCount, int MaxUsageCount);

    private sealed record Claim(int UsageCount, TimeSpan Elapsed);

    public Task InitializeAsync() => fault.WaitUntilServingAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Claims_and_reads_keep_working_when_redis_is_down()
    {
        var code = await fault.CreateCodeAsync(maxUsageCount: 10);
        var untouched = await fault.CreateCodeAsync(maxUsageCount: 10);

        await using (var outage = await fault.StopAsync(FaultService.Redis))
        {
            var health = await Poll.UntilAsync(fault.HealthAsync, h => h.Redis != "Healthy", "/health to see Redis down");
            Assert.Equal(
                new FaultFixture.HealthSnapshot(HttpStatusCode.OK, "Degraded", "Healthy", "Degraded", "Closed"), health);

            // Readiness stays 200 on purpose (Redis is a Degraded check): without Redis an instance still serves.
            Assert.Equal(new FaultFixture.Probe(HttpStatusCode.OK, "Degraded"), await fault.ProbeAsync("/health/ready"));
            Assert.Equal(new FaultFixture.Probe(HttpStatusCode.OK, "Healthy"), await fault.ProbeAsync("/health/live"));

            Assert.Equal(0, (await ReadAsync(code)).UsageCount);
            Assert.Equal(1, (await ClaimAsync(code)).UsageCount);
            Assert.Equal(2, (await ClaimAsync(code)).UsageCount);

            // The claims invalidated this instance's memory copy, Redis or not.
            Assert.Equal(2, (await ReadAsync(code)).UsageCount);
            Assert.Equal(0, (await ReadAsync(untouched)).UsageCount);
            Assert.Equal(1, (await ClaimAsync(untouched)).UsageCount);
            Assert.Equal(1, (await ReadAsync(untouched)).UsageCount);

            await outage.EndAsync();
        }

        await Poll.UntilAsync(
            () => fault.ProbeAsync("/health/ready"), p => p is { Status: HttpStatusCode.OK, Body: "Healthy" }, "/health/ready to answer 200 Healthy");
        Assert.Equal(
            new FaultFixture.HealthSnapshot(HttpStatusCode.OK, "Healthy", "Healthy", "Healthy", "Closed"), await fault.HealthAsync());

        Assert.Equal(3, (await ClaimAsync(code)).UsageCount);
        Assert.Equal(3, (await ReadAsync(code)).UsageCount);
        Assert.Equal(3, await fault.ScalarAsync<int>("SELECT usage_count FROM access_codes WHERE code = $1", code));
        Assert.Equal(1, await fault.ScalarAsync<int>("SELECT usage_count FROM access_codes WHERE code = $1", untouched));
    }

    [Fact]
    public async Task Claims_are_answered_within_their_deadline_when_redis_is_down()
    {
        var code = await fault.CreateCodeAsync(maxUsageCount: 10);

        await using (var outage = await fault.StopAsync(FaultService.Redis))
        {
            // Redis is only a cache: waiting on it (the invalidation after a grant) must never hold a claim past
            // the claim's own deadline.
            for (var usage = 1; usage <= 3; usage++)
            {
                var claim = await ClaimAsync(code);
                Assert.Equal(usage, claim.UsageCount);
                Assert.True(
                    claim.Elapsed < FaultFixture.ClaimDeadline,
                    $"Claim {usage} took {claim.Elapsed.TotalMilliseconds:0} ms, longer than the {FaultFixture.ClaimDeadline.TotalSeconds:0} s claim deadline.");
            }

            await outage.EndAsync();
        }

        Assert.Equal(3, await fault.ScalarAsync<int>("SELECT usage_count FROM access_codes WHERE code = $1", code));
    }

    /// <summary>Claims one seat (asserting 201) and returns the usage count after it and how long it took.</summary>
    private async Task<Claim> ClaimAsync(string code)
    {
        var watch = Stopwatch.StartNew();
        var response = await fault.Client.PostAsJsonAsync("/api/auth/code-login", new { code });
        var elapsed = watch.Elapsed;
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Expected 201, got {(int)response.StatusCode}: {body}");
        return new Claim(JsonSerializer.Deserialize<Claimed>(body, JsonSerializerOptions.Web)!.UsageCount, elapsed);
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
}
