using Capacity.Application.Members;
using Capacity.Domain.Clients;
using Capacity.WebApi.OpenApi;
using Capacity.WebApi.Problems;
using Capacity.WebApi.Security;
using Carter;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capacity.WebApi.Modules;

/// <summary>Members (seed 002): cached lookups for clients with members:read; registration and changes for admins.</summary>
public sealed class MembersModule : ICarterModule
{
    /// <summary>build/run's demo member.</summary>
    public const string ExampleIdNumber = "DEMO800101";

    /// <summary>The shape of a member id: a real one comes from registration or a lookup.</summary>
    private const string ExampleMemberId = "0199a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b";

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/members")
            .WithTags("Members (admin)")
            .RequireScope(ClientScopes.Admin)
            .ProducesStandardProblems();
        admin.MapPost("/", CreateMember)
            .WithName(nameof(CreateMember))
            .WithSummary("Register a member: the API assigns memberId and membershipNumber; a taken idNumber is 409 member-exists.")
            .WithRequestExample(new CreateMember.Command(
                "DEMO900202", "Thandi", "Mokoena", "GP", "JHB", "JHB-042",
                DateTimeOffset.Parse("2099-12-31T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)))
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesBodyProblems();
        admin.MapPut("/{memberId}", UpdateMember)
            .WithName(nameof(UpdateMember))
            .WithSummary("Change a member's names, status and expiry; both lookups of the member are refreshed on every instance.")
            .WithParameterExample("memberId", ExampleMemberId)
            .WithRequestExample(new UpdateMember.Command(
                "Thandi", "Mokoena-Dlamini", "active",
                DateTimeOffset.Parse("2099-12-31T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)))
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesBodyProblems();

        app.MapGroup("/api/members/card-keys")
            .WithTags("Members")
            .RequireScopeOrAnonymous(ClientScopes.MembersRead)
            .ProducesStandardProblems()
            .MapGet("/", GetCardKeys)
            .WithName(nameof(GetCardKeys))
            .WithSummary("The public keys that verify card payloads, as a JWK set (EC P-256, ES256); public, for scanners.");

        var members = app.MapGroup("/api/members")
            .WithTags("Members")
            .RequireScope(ClientScopes.MembersRead)
            .ProducesStandardProblems();
        members.MapPost("/cards/batch", GenerateCards)
            .WithName(nameof(GenerateCards))
            .WithSummary("Cards for up to 100 members, at most concurrency (1-20, default 5) built at once; members without a card are listed in failures, never a failed batch.")
            .WithRequestExample(new GenerateCards.Query([Guid.Parse(ExampleMemberId)], 5))
            .ProducesBodyProblems();
        members.MapPost("/{memberId}/card", GenerateCard)
            .WithName(nameof(GenerateCard))
            .WithSummary("A member's card data with its signed QR payload (cached 30 min; refreshed when the member changes).")
            .WithDescription(
                "qrPayload is a compact JWS (ES256): base64url(header).base64url(payload).base64url(signature), the header " +
                "naming the key id (kid), the payload {sub: memberId, mno: membershipNumber, sts: status, exp: validTo, iat: issued " +
                "at} in Unix seconds. A scanner verifies it offline with the key of that kid from GET /api/members/card-keys " +
                "(any JOSE/JWT library does), then checks exp and sts.")
            .WithParameterExample("memberId", ExampleMemberId)
            .ProducesProblem(StatusCodes.Status404NotFound);
        members.MapGet("/{memberId}/card.png", GetCardImage)
            .WithName(nameof(GetCardImage))
            .WithSummary("The card's QR code (its qrPayload) as a PNG image, cached 4 h.")
            .WithParameterExample("memberId", ExampleMemberId)
            .Produces(StatusCodes.Status200OK, contentType: "image/png")
            .ProducesProblem(StatusCodes.Status404NotFound);
        members.MapGet("/by-id-number/{idNumber}", GetMemberByIdNumber)
            .WithName(nameof(GetMemberByIdNumber))
            .WithSummary("A member by national id number (cached 1 h).")
            .WithParameterExample("idNumber", ExampleIdNumber)
            .ProducesProblem(StatusCodes.Status404NotFound);
        members.MapGet("/{memberId}", GetMember)
            .WithName(nameof(GetMember))
            .WithSummary("A member by id (cached 1 h).")
            .WithParameterExample("memberId", ExampleMemberId)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    public static async Task<Results<Created<MemberResponse>, ProblemHttpResult>> CreateMember(
        CreateMember.Command command, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(command, cancellationToken)).ToCreated(http, m => $"/api/members/{m.MemberId}");

    public static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> UpdateMember(
        Guid memberId, UpdateMember.Command command, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(command with { MemberId = memberId }, cancellationToken)).ToOk(http);

    public static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> GetMember(
        Guid memberId, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(new GetMember.Query(memberId), cancellationToken)).ToOk(http);

    public static async Task<Results<Ok<CardResponse>, ProblemHttpResult>> GenerateCard(
        Guid memberId, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(new GenerateCard.Query(memberId), cancellationToken)).ToOk(http);

    public static async Task<Ok<GenerateCards.Response>> GenerateCards(
        GenerateCards.Query query, ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(query, cancellationToken));

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetCardImage(
        Guid memberId, ISender sender, HttpContext http, CancellationToken cancellationToken)
    {
        var image = await sender.Send(new GetCardImage.Query(memberId), cancellationToken);
        return image.IsSuccess ? TypedResults.File(image.Value!.Png, "image/png") : image.Error!.ToProblem(http);
    }

    public static async Task<Ok<CardKeySet>> GetCardKeys(ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new GetCardKeys.Query(), cancellationToken));

    public static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> GetMemberByIdNumber(
        string idNumber, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(new GetMemberByIdNumber.Query(idNumber), cancellationToken)).ToOk(http);
}
