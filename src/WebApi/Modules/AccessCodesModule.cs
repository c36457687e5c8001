using Capacity.Application.AccessCodes;
using Capacity.Application.Common.Paging;
using Capacity.WebApi.OpenApi;
using Capacity.WebApi.Problems;
using Capacity.WebApi.Security;
using Capacity.Domain.Clients;
using Carter;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capacity.WebApi.Modules;

/// <summary>Access codes, code login and sessions.</summary>
/// <remarks>The routes' OpenAPI examples succeed against <c>build/run</c>'s demo data (DEMO-BULK has 400 seats).</remarks>
public sealed class AccessCodesModule : ICarterModule
{
    /// <summary>The shape of a session id: real ones exist only once a seat is claimed.</summary>
    private const string ExampleSessionId = "0199a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b";

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/access-codes")
            .WithTags("Access codes (admin)")
            .RequireScope(ClientScopes.Admin)
            .ProducesStandardProblems();
        admin.MapPost("/", CreateAccessCode)
            .WithName(nameof(CreateAccessCode))
            .WithSummary("Create a bulk or single access code.")
            .WithRequestExample(new CreateAccessCode.Command("DEMO-NEW", "bulk", 100))
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesBodyProblems();

        admin.MapGet("/", ListAccessCodes)
            .WithName(nameof(ListAccessCodes))
            .WithSummary("Page through every access code with its usage, in code order.")
            .WithParameterExample("page", 1)
            .WithParameterExample("limit", 20);

        admin.MapGet("/usage", GetCodeUsageBatch)
            .WithName(nameof(GetCodeUsageBatch))
            .WithSummary("Usage of up to 500 codes in one query (codes=A,B,C), for dashboards.")
            .WithRequiredQueryParameter("codes")
            .WithParameterExample("codes", "DEMO-BULK,DEMO-SINGLE");

        app.MapGroup("/api/admin/sessions")
            .WithTags("Sessions (admin)")
            .RequireScope(ClientScopes.Admin)
            .ProducesStandardProblems()
            .MapPost("/cleanup", CleanupIdleSessions)
            .WithName(nameof(CleanupIdleSessions))
            .WithSummary("End sessions idle for longer than idleMinutes and free their seats.")
            .WithRequestExample(new CleanupIdleSessions.Command(30))
            .ProducesBodyProblems();

        app.MapGroup("/api/access-codes")
            .WithTags("Access codes")
            .RequireScopeOrAnonymous(ClientScopes.CodesClaim)
            .ProducesStandardProblems()
            .MapGet("/{code}", GetAccessCode)
            .WithName(nameof(GetAccessCode))
            .WithSummary("Read an access code and its usage (cached; usage may be a few seconds old).")
            .WithParameterExample("code", "DEMO-BULK")
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGroup("/api/auth")
            .WithTags("Sessions")
            .RequireScopeOrAnonymous(ClientScopes.CodesClaim)
            .ProducesStandardProblems()
            .MapPost("/code-login", CodeLogin)
            .WithName(nameof(CodeLogin))
            .WithSummary("Claim a seat of an access code and open a session.")
            .WithDescription(
                "201 with a new session; 200 with the open session when clientRef already holds one on this code. " +
                "409 when the code is full, 404 unknown, 410 expired or inactive, 503 busy (retry after Retry-After).")
            .WithRequestExample(new ClaimSeat.Command("DEMO-BULK", "device-42"))
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesBodyProblems();

        var sessions = app.MapGroup("/api/sessions")
            .WithTags("Sessions")
            .RequireScopeOrAnonymous(ClientScopes.CodesClaim)
            .ProducesStandardProblems();
        sessions.MapPost("/{sessionId}/end", EndSession)
            .WithName(nameof(EndSession))
            .WithSummary("End a session and free its seat (idempotent: a second call frees nothing).")
            .WithParameterExample("sessionId", ExampleSessionId)
            .ProducesProblem(StatusCodes.Status404NotFound);
        sessions.MapPost("/{sessionId}/heartbeat", Heartbeat)
            .WithName(nameof(Heartbeat))
            .WithSummary("Record activity on an open session.")
            .WithParameterExample("sessionId", ExampleSessionId)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone);
    }

    public static async Task<Results<Created<AccessCodeResponse>, ProblemHttpResult>> CreateAccessCode(
        CreateAccessCode.Command command, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(command, cancellationToken)).ToCreated(http, code => $"/api/access-codes/{code.Code}");

    public static async Task<Ok<Paged<AccessCodeResponse>>> ListAccessCodes(
        int? page, int? limit, ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new ListAccessCodes.Query(page, limit), cancellationToken));

    public static async Task<Ok<GetCodeUsageBatch.Response>> GetCodeUsageBatch(
        string? codes, ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new GetCodeUsageBatch.Query(codes), cancellationToken));

    public static async Task<Ok<CleanupIdleSessions.Response>> CleanupIdleSessions(
        CleanupIdleSessions.Command command, ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(command, cancellationToken));

    public static async Task<Results<Ok<AccessCodeResponse>, ProblemHttpResult>> GetAccessCode(
        string code, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(new GetAccessCode.Query(code), cancellationToken)).ToOk(http);

    public static async Task<Results<Created<ClaimSeat.Response>, Ok<ClaimSeat.Response>, ProblemHttpResult>> CodeLogin(
        ClaimSeat.Command command, ISender sender, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await sender.Send(command, cancellationToken);
        if (!result.IsSuccess)
        {
            return result.Error.ToProblem(http);
        }

        // A retry of a clientRef that holds a session gets that session back: 200, not a second 201.
        return result.Value.Resumed
            ? TypedResults.Ok(result.Value)
            : TypedResults.Created($"/api/sessions/{result.Value.SessionId}", result.Value);
    }

    public static async Task<Results<Ok<EndSession.Response>, ProblemHttpResult>> EndSession(
        Guid sessionId, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(new EndSession.Command(sessionId), cancellationToken)).ToOk(http);

    public static async Task<Results<NoContent, ProblemHttpResult>> Heartbeat(
        Guid sessionId, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(new HeartbeatSession.Command(sessionId), cancellationToken)).ToNoContent(http);
}
