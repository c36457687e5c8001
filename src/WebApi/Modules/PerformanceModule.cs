using Capacity.Application.Performance;
using Capacity.Domain.Clients;
using Capacity.WebApi.Security;
using Carter;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capacity.WebApi.Modules;

/// <summary>The performance API for operators.</summary>
public sealed class PerformanceModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/admin/performance")
            .WithTags("Performance (admin)")
            .RequireScope(ClientScopes.Admin)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .MapGet("/", GetPerformance)
            .WithName(nameof(GetPerformance))
            .WithSummary("Per-operation counts, success rates, p50/p95/p99, concurrency, throughput, cache hit rates and alerts.");
        app.MapGroup("/api/admin/cache/stats")
            .WithTags("Performance (admin)")
            .RequireScope(ClientScopes.Admin)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .MapGet("/", GetCacheStats)
            .WithName(nameof(GetCacheStats))
            .WithSummary("This instance's cache by area: hits, misses, hit rate, stale serves, entries, evictions, estimated bytes.");
    }

    public static async Task<Ok<GetCacheStats.Response>> GetCacheStats(ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new GetCacheStats.Query(), cancellationToken));

    public static async Task<Ok<GetPerformance.Response>> GetPerformance(ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new GetPerformance.Query(), cancellationToken));
}
