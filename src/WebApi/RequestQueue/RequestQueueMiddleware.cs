using System.Diagnostics.Metrics;
using System.Globalization;
using Capacity.Application.Common.Metrics;
using Capacity.WebApi.Problems;
using Microsoft.AspNetCore.Mvc;

namespace Capacity.WebApi.RequestQueue;

/// <summary>
/// Lets at most RequestQueue:MaxConcurrent API requests run at once; up to MaxQueued wait in arrival order for at most
/// QueueTimeout. Beyond that: 503 <c>server-busy</c> with Retry-After, at once for a full queue, at the timeout for a
/// wait, and the request's handler never runs. Health, metrics, the OpenAPI document, admin routes and routes marked
/// <see cref="RequestQueueExemption"/> bypass it, so an overloaded API can still be observed and operated.
/// </summary>
internal sealed class RequestQueueMiddleware(RequestDelegate next, RequestGate gate, IProblemDetailsService problems)
{
    private static readonly Counter<long> Refused = CapacityMetrics.Meter.CreateCounter<long>(
        "capacity.request_queue.refused", description: "API requests answered 503 server-busy by the request queue, by reason (full, timeout).");

    public async Task InvokeAsync(HttpContext http)
    {
        if (Bypasses(http))
        {
            await next(http);
            return;
        }

        var (lease, refusal) = await gate.EnterAsync(http.RequestAborted);
        if (lease is null)
        {
            if (refusal is null)
            {
                return;
            }

            Refused.Add(1, new KeyValuePair<string, object?>("reason", refusal));
            await RefuseAsync(http, refusal);
            return;
        }

        using (lease)
        {
            await next(http);
        }
    }

    private static bool Bypasses(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<RequestQueueExemption>() is not null)
        {
            return true;
        }

        var path = http.Request.Path;
        return path.StartsWithSegments("/health") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/openapi")
            || path.StartsWithSegments("/scalar") || path.StartsWithSegments("/api/admin");
    }

    private async Task RefuseAsync(HttpContext http, string reason)
    {
        var options = gate.Options;
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Type = ProblemTypes.ServerBusy,
                Title = "Server busy, retry shortly",
                Detail = reason == "full"
                    ? $"{options.MaxConcurrent} requests are running and {options.MaxQueued} waiting; retry after Retry-After."
                    : $"The request waited {options.QueueTimeout.TotalSeconds:0.###} s for a turn; retry after Retry-After.",
                Extensions = { ["reason"] = reason },
            },
        });
    }
}

internal static class RequestQueueSetup
{
    public static IServiceCollection AddRequestQueue(this IServiceCollection services, IConfiguration configuration)
    {
        Application.Common.Options.SectionOptionsExtensions.AddSectionOptions<RequestQueueOptions>(services, configuration);
        services.AddSingleton<RequestGate>();
        services.AddSingleton<Application.Performance.IRequestQueueStatistics, RequestQueueStatistics>();
        return services;
    }

    public static IApplicationBuilder UseRequestQueue(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<RequestQueueOptions>>().Value.Enabled
            ? app.UseMiddleware<RequestQueueMiddleware>()
            : app;
}
