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

        var members = app.MapGroup("/api/members")
            .WithTags("Members")
            .RequireScope(ClientScopes.MembersRead)
            .ProducesStandardProblems();
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

    public static async Task<Results<Ok<MemberResponse>, ProblemHttpResult>> GetMemberByIdNumber(
        string idNumber, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(new GetMemberByIdNumber.Query(idNumber), cancellationToken)).ToOk(http);
}
