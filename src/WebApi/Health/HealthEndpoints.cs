using Capacity.Application.Common.Resilience;
using Capacity.Application.Coupons;
using Capacity.WebApi.RequestQueue;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.WebApi.Health;

/// <summary><c>/health/live</c>, <c>/health/ready</c> and the <c>/health</c> summary.</summary>
internal static class HealthEndpoints
{
    private static readonly DateTimeOffset StartedAt = DateTimeOffset.UtcNow;

    public static void MapCapacityHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health");

        // Live: the process serves HTTP. No dependency is checked, so a sick database never restarts it.
        group.MapHealthChecks("/live", new HealthCheckOptions { Predicate = _ => false })
            .WithName("Live");

        // Ready: can this instance serve at all? 200 "Healthy", or 200 "Degraded" while a dependency is down but cached
        // reads are still served (a load balancer keeps it in rotation: taking every instance out during a database
        // outage would turn it into a full outage); 503 only while starting, stopping, or with the request queue full.
        group.MapGet("/ready", Ready).WithName("Ready").ExcludeFromDescription();

        group.MapGet("/", Summary)
            .WithName("HealthSummary")
            .WithSummary("Status of the API and its dependencies: database, cache, circuit breaker, validation log, request queue, uptime.")
            .Produces<HealthSummaryResponse>(StatusCodes.Status200OK)
            .Produces<HealthSummaryResponse>(StatusCodes.Status503ServiceUnavailable);
    }

    public static async Task<IResult> Ready(
        HealthCheckService checks, IHostApplicationLifetime lifetime, RequestGate gate, CancellationToken cancellationToken)
    {
        if (Unavailable(lifetime, gate) is { } reason)
        {
            return TypedResults.Text(reason, "text/plain", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var report = await checks.CheckHealthAsync(c => c.Tags.Contains(Infrastructure.DependencyInjection.ReadyTag), cancellationToken);
        return TypedResults.Text(report.Status == HealthStatus.Healthy ? "Healthy" : "Degraded", "text/plain");
    }

    /// <summary>Why this instance cannot serve at all, or null: starting, stopping, or every place of the request queue taken.</summary>
    private static string? Unavailable(IHostApplicationLifetime lifetime, RequestGate gate)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            return "Stopping";
        }

        if (!lifetime.ApplicationStarted.IsCancellationRequested)
        {
            return "Starting";
        }

        return gate.Options.Enabled && gate.Queued >= gate.Options.MaxQueued && gate.InFlight >= gate.Options.MaxConcurrent ? "Busy" : null;
    }

    public static async Task<IResult> Summary(
        HealthCheckService checks, DatabaseCircuitBreaker breaker, IFusionCache cache, IValidationLog validationLog, RequestGate gate,
        IHostApplicationLifetime lifetime, TimeProvider clock, CancellationToken cancellationToken)
    {
        var report = await checks.CheckHealthAsync(cancellationToken);
        var unavailable = Unavailable(lifetime, gate);
        var redis = report.Entries.TryGetValue("redis", out var redisEntry) ? redisEntry.Status.ToString() : "not configured";
        // A dependency down (the database too) degrades this instance; it still serves what it has cached.
        var body = new HealthSummaryResponse(
            unavailable is not null ? "Unavailable" : report.Status == HealthStatus.Healthy ? "Healthy" : "Degraded",
            new DependencyStatus(report.Entries["postgres"].Status.ToString(), report.Entries["postgres"].Description),
            new CacheStatus(cache.HasDistributedCache ? "memory+redis" : "memory", redis, cache.HasBackplane),
            breaker.State.ToString(),
            validationLog.Status,
            new RequestQueueStatus(
                gate.Options.Enabled, gate.InFlight, gate.Queued, gate.Options.MaxConcurrent, gate.Options.MaxQueued),
            (long)(clock.GetUtcNow() - StartedAt).TotalSeconds,
            clock.GetUtcNow());
        var status = unavailable is not null ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        return TypedResults.Json(body, statusCode: status);
    }
}

/// <summary>The <c>/health</c> summary.</summary>
public sealed record HealthSummaryResponse(
    string Status, DependencyStatus Database, CacheStatus Cache, string Circuit, ValidationLogStatus ValidationLog,
    RequestQueueStatus RequestQueue, long UptimeSeconds, DateTimeOffset Timestamp);

/// <param name="Enabled">False when RequestQueue:Enabled is false (every request runs at once).</param>
/// <param name="InFlight">API requests running now.</param>
/// <param name="Queued">API requests waiting for a turn.</param>
public sealed record RequestQueueStatus(bool Enabled, int InFlight, int Queued, int MaxConcurrent, int MaxQueued);

public sealed record DependencyStatus(string Status, string? Description);

/// <param name="Mode">"memory" (L1 only) or "memory+redis" (L1, L2 and backplane).</param>
/// <param name="Redis">Redis health, or "not configured".</param>
/// <param name="Backplane">True when cache changes are broadcast to other instances.</param>
public sealed record CacheStatus(string Mode, string Redis, bool Backplane);
