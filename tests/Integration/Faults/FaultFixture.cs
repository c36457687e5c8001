using System.Net;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.IntegrationTests.Faults;

/// <summary>
/// The API over the fault instance of <c>build/services</c> (PostgreSQL 127.0.0.1:54339, Redis 127.0.0.1:63809),
/// which this fixture starts and, at the end of the collection, stops. Tests stop its services freely: the other
/// tests use the default instance. The breaker, fail-safe throttle and claim deadline are short so that an
/// outage and its recovery take seconds.
/// </summary>
public sealed class FaultFixture : CapacityApiFactory, IAsyncLifetime
{
    public const string Instance = "fault";

    /// <summary>How long a claim may wait for its code (Claims:Deadline) before it is answered busy.</summary>
    public static readonly TimeSpan ClaimDeadline = TimeSpan.FromSeconds(3);

    /// <summary>How long the database breaker stays open before one request probes the database again.</summary>
    public static readonly TimeSpan BreakDuration = TimeSpan.FromSeconds(2);

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["CircuitBreaker:MinimumThroughput"] = "2",
        ["CircuitBreaker:BreakDuration"] = BreakDuration.ToString("c"),
        ["CircuitBreaker:SamplingDuration"] = "00:00:10",
        ["Caching:FailSafeThrottleDuration"] = "00:00:01",
        ["Claims:Deadline"] = ClaimDeadline.ToString("c"),
        ["ValidationLog:FlushInterval"] = "00:00:00.200",
    };

    /// <summary>The API's cache, to expire an entry instead of waiting out its duration (FusionCache has no clock to fake).</summary>
    public IFusionCache Cache => Services.GetRequiredService<IFusionCache>();

    protected override async Task<(string Postgres, string? Redis)> ResolveServicesAsync()
    {
        await ServicesScript.RunAsync("start", "all", "--instance", Instance);
        var (postgres, redis) = await ServicesScript.ConnectionStringsAsync(Instance);
        return (postgres, redis);
    }

    /// <summary>What an instance's /health says of Redis (cache.redis).</summary>
    public static async Task<string?> RedisStatusAsync(HttpClient instance)
    {
        using var response = await instance.GetAsync("/health");
        var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return body.GetProperty("cache").GetProperty("redis").GetString();
    }

    /// <summary>Stops one service of the fault instance; dispose the outage (or end it) to start it again.</summary>
    public Task<ServiceOutage> StopAsync(FaultService service) => ServiceOutage.BeginAsync(service);

    /// <summary>Status and text of a health endpoint (<c>/health/live</c>, <c>/health/ready</c>).</summary>
    public async Task<Probe> ProbeAsync(string path)
    {
        var response = await Client.GetAsync(path);
        return new Probe(response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The <c>/health</c> summary.</summary>
    public async Task<HealthSnapshot> HealthAsync()
    {
        var response = await Client.GetAsync("/health");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return new HealthSnapshot(
            response.StatusCode,
            body.GetProperty("status").GetString()!,
            body.GetProperty("database").GetProperty("status").GetString()!,
            body.GetProperty("cache").GetProperty("redis").GetString()!,
            body.GetProperty("circuit").GetString()!);
    }

    /// <summary>
    /// Waits until every dependency is ready and the breaker is closed, so each test starts from a serving API
    /// whatever the previous test left behind.
    /// </summary>
    public async Task WaitUntilServingAsync()
    {
        await Poll.UntilAsync(
            () => ProbeAsync("/health/ready"), p => p is { Status: HttpStatusCode.OK, Body: "Healthy" }, "/health/ready to answer 200 Healthy");

        // A read of an unknown code passes the breaker (never cached before): once the database answers, it
        // succeeds, which closes the breaker if it was half-open.
        await Poll.UntilAsync(
            async () => (await Client.GetAsync($"/api/access-codes/PROBE-{Guid.NewGuid():N}")).StatusCode,
            status => status == HttpStatusCode.NotFound,
            "a read through the breaker to reach the database");
        Assert.Equal("Closed", (await HealthAsync()).Circuit);
    }

    public new async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            await ServicesScript.RunAsync("stop", "all", "--instance", Instance);
        }
    }

    public sealed record Probe(HttpStatusCode Status, string Body);

    public sealed record HealthSnapshot(HttpStatusCode Status, string Overall, string Database, string Redis, string Circuit);
}
