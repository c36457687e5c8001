using System.Reflection;
using System.Text.Json.Serialization;
using Capacity.Application.Common.Metrics;
using Capacity.WebApi.Caching;
using Capacity.WebApi.Health;
using Capacity.WebApi.Problems;
using Capacity.WebApi.RequestQueue;
using Capacity.WebApi.Security;
using Carter;
using Microsoft.AspNetCore.Http.Json;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Scalar.AspNetCore;

namespace Capacity.WebApi;

public static class DependencyInjection
{
    /// <summary>The <c>service.name</c> of the telemetry (<c>service_name</c> on <c>/metrics</c>).</summary>
    public const string ServiceName = "capacity";

    private static readonly string? ServiceVersion = typeof(DependencyInjection).Assembly
        .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;

    /// <summary>HTTP concerns: JSON, problem details, client keys and scopes, OpenAPI, metrics, Carter modules.</summary>
    public static IServiceCollection AddWebApi(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });

        // Malformed bodies and unbindable route values throw, so ProblemExceptionHandler answers them with
        // problem details naming the field, in every environment (not only Development).
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;

            // Answers produced by routing itself (no route, wrong method, wrong media type) get stable types too.
            if (ctx.ProblemDetails.Type is null || ctx.ProblemDetails.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
            {
                ctx.ProblemDetails.Type = ctx.ProblemDetails.Status switch
                {
                    StatusCodes.Status404NotFound => ProblemTypes.NotFound,
                    StatusCodes.Status405MethodNotAllowed => ProblemTypes.MethodNotAllowed,
                    StatusCodes.Status415UnsupportedMediaType => ProblemTypes.UnsupportedMediaType,
                    _ => ctx.ProblemDetails.Type,
                };
            }
            ctx.ProblemDetails.Extensions.TryAdd("traceId", ctx.HttpContext.TraceIdentifier);
        });
        services.AddExceptionHandler<ProblemExceptionHandler>();

        services.AddCapacitySecurity(configuration, environment);
        services.AddRequestQueue(configuration);

        services.AddOpenApi(o => o.AddCapacityContract().AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Capacity API";

            // Markdown (Scalar renders it): outside a code span, <code> would be taken for an HTML tag and vanish.
            document.Info.Description =
                "Hands out limited things (seats of access codes) to many people at once, never one too many. " +
                "Errors are RFC 9457 problem details with a stable type (`urn:capacity:problem:<code>`). " +
                $"Callers authenticate with a client API key (`{ApiKeyCredentials.HeaderName}` or `Authorization: Bearer`); " +
                "each operation lists the scope it needs.";
            return Task.CompletedTask;
        }));

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceVersion: ServiceVersion))
            .WithMetrics(metrics => metrics
                .AddMeter(CapacityMetrics.MeterName)
                .AddPrometheusExporter());

        services.AddResponseCompression();
        services.AddCarter(configurator: c => c.WithEmptyValidators());
        return services;
    }

    /// <summary>The middleware pipeline and every endpoint.</summary>
    public static WebApplication UseWebApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseBodySizeLimit();
        app.UseApiKeys();
        app.UseRequestQueue();
        app.UseCacheHeaders();
        app.UseResponseCompression();

        app.MapOpenApi();
        app.MapScalarApiReference();
        app.MapPrometheusScrapingEndpoint();
        app.MapCapacityHealth();
        app.MapCarter();
        return app;
    }
}
