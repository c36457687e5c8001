using Capacity.Application.Clients;
using Capacity.Application.Common.Paging;
using Capacity.Domain.Clients;
using Capacity.WebApi.OpenApi;
using Capacity.WebApi.Problems;
using Capacity.WebApi.Security;
using Carter;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capacity.WebApi.Modules;

/// <summary>Client systems and their API keys: register, list, read, rotate, revoke.</summary>
public sealed class ClientsModule : ICarterModule
{
    /// <summary>The shape of a client or key id: real ones exist only once created.</summary>
    private const string ExampleId = "0199a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b";

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var clients = app.MapGroup("/api/admin/clients")
            .WithTags("Clients (admin)")
            .RequireScope(ClientScopes.Admin)
            .ProducesStandardProblems();

        clients.MapPost("/", CreateClient)
            .WithName(nameof(CreateClient))
            .WithSummary("Register a client with its scopes; the answer holds its first API key, shown this once.")
            .WithRequestExample(new CreateClient.Command("shop-backend", [ClientScopes.Coupons]))
            .ProducesBodyProblems();

        clients.MapGet("/", ListClients)
            .WithName(nameof(ListClients))
            .WithSummary("Page through the clients, oldest first, with their working-key counts.")
            .WithParameterExample("page", 1)
            .WithParameterExample("limit", 20);

        clients.MapGet("/{clientId}", GetClient)
            .WithName(nameof(GetClient))
            .WithSummary("A client with its keys: ids, prefixes, issue and revocation times; never a key.")
            .WithParameterExample("clientId", ExampleId)
            .ProducesProblem(StatusCodes.Status404NotFound);

        clients.MapPost("/{clientId}/keys", IssueClientKey)
            .WithName(nameof(IssueClientKey))
            .WithSummary("Rotate: issue a new key (shown this once); the client's other keys keep working until revoked.")
            .WithParameterExample("clientId", ExampleId)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        clients.MapDelete("/{clientId}/keys/{keyId}", RevokeClientKey)
            .WithName(nameof(RevokeClientKey))
            .WithSummary("Revoke a key: it stops working on every instance within seconds. Revoking it again changes nothing.")
            .WithParameterExample("clientId", ExampleId)
            .WithParameterExample("keyId", ExampleId)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    public static async Task<Created<CreateClient.Response>> CreateClient(
        CreateClient.Command command, ISender sender, CancellationToken cancellationToken)
    {
        var client = await sender.Send(command, cancellationToken);
        return TypedResults.Created($"/api/admin/clients/{client.Id}", client);
    }

    public static async Task<Ok<Paged<ListClients.Summary>>> ListClients(
        int? page, int? limit, ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new ListClients.Query(page, limit), cancellationToken));

    public static async Task<Results<Ok<ClientResponse>, ProblemHttpResult>> GetClient(
        Guid clientId, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(new GetClient.Query(clientId), cancellationToken)).ToOk(http);

    public static async Task<Results<Created<IssuedKey>, ProblemHttpResult>> IssueClientKey(
        Guid clientId, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(new IssueClientKey.Command(clientId), cancellationToken))
            .ToCreated(http, _ => $"/api/admin/clients/{clientId}");

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeClientKey(
        Guid clientId, Guid keyId, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(new RevokeClientKey.Command(clientId, keyId), cancellationToken)).ToNoContent(http);
}
