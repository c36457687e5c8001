using Capacity.Application.Common.Paging;
using Capacity.Application.Coupons;
using Capacity.Domain.Clients;
using Capacity.Domain.Coupons;
using Capacity.WebApi.OpenApi;
using Capacity.WebApi.Problems;
using Capacity.WebApi.Security;
using Carter;
using Mediator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Capacity.WebApi.Modules;

/// <summary>Coupons: validation, redemption and reversal for shops; definitions for admins.</summary>
/// <remarks>The examples succeed against <c>build/run</c>'s demo data (DEMO-10OFF: 10 % off, at most 50.00, orders from 20.00).</remarks>
public sealed class CouponsModule : ICarterModule
{
    private const string ExampleRedemptionId = "0199a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b";

    /// <summary>A cursor's shape (a position in 2099, so the example page holds every row).</summary>
    private static readonly string ExampleCursor =
        new KeysetCursor(new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero), Guid.Empty).Encode();

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin/coupons")
            .WithTags("Coupons (admin)")
            .RequireScope(ClientScopes.Admin)
            .ProducesStandardProblems();
        admin.MapPost("/", CreateCoupon)
            .WithName(nameof(CreateCoupon))
            .WithSummary("Create a user coupon (bound to one userId) or a time coupon (validFrom to validTo).")
            .WithRequestExample(new CreateCoupon.Command(
                "SUMMER-15", "time", "percent", 15m, ValidFrom: DateTimeOffset.Parse("2026-06-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
                ValidTo: DateTimeOffset.Parse("2099-08-31T23:59:59Z", System.Globalization.CultureInfo.InvariantCulture), MaxDiscount: 30m, UsageLimit: 1000, PerUserLimit: 1))
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesBodyProblems();
        admin.MapGet("/", ListCoupons)
            .WithName(nameof(ListCoupons))
            .WithSummary("Page through coupons in code order, by status (expired includes those past validTo) and kind.")
            .WithParameterExample("status", "active")
            .WithParameterExample("kind", "time")
            .WithParameterExample("page", 1)
            .WithParameterExample("limit", 20);
        admin.MapGet("/{code}", GetCoupon)
            .WithName(nameof(GetCoupon))
            .WithSummary("A coupon with its exact usage count.")
            .WithParameterExample("code", "DEMO-10OFF")
            .ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPost("/{code}/deactivate", DeactivateCoupon)
            .WithName(nameof(DeactivateCoupon))
            .WithSummary("Switch a coupon off (validations answer inactive, redemptions 422) on every instance at once.")
            .WithParameterExample("code", "DEMO-OFF")
            .ProducesProblem(StatusCodes.Status404NotFound);

        admin.MapGet("/{code}/stats", GetCouponStats)
            .WithName(nameof(GetCouponStats))
            .WithSummary("How a coupon is used: validations by outcome and reason, response times, redemptions (from the validation log).")
            .WithParameterExample("code", "DEMO-10OFF")
            .ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGroup("/api/admin/validations")
            .WithTags("Coupons (admin)")
            .RequireScope(ClientScopes.Admin)
            .ProducesStandardProblems()
            .MapGet("/", ListValidations)
            .WithName(nameof(ListValidations))
            .WithSummary("Recent validation attempts, newest first; pass the answer's next as after for the following page.")
            .WithParameterExample("after", ExampleCursor)
            .WithParameterExample("limit", 20);

        var coupons = app.MapGroup("/api/coupons")
            .WithTags("Coupons")
            .RequireScope(ClientScopes.Coupons)
            .ProducesStandardProblems();
        coupons.MapPost("/validate", ValidateCoupon)
            .WithName(nameof(ValidateCoupon))
            .WithSummary("Does the coupon apply to this order, and what does it take off? Invalid is a 200 with a reason.")
            .WithRequestExample(new ValidateCoupon.Query("DEMO-10OFF", "user_0000001", 120.00m, "order-1001"))
            .ProducesBodyProblems();
        coupons.MapPost("/redeem", RedeemCoupon)
            .WithName(nameof(RedeemCoupon))
            .WithSummary("Record the coupon's use for an order, atomically within its limits.")
            .WithDescription(
                "201 with a new redemption; 200 with the standing one when the same (code, orderId, userId) is sent again. " +
                "409 order-already-redeemed (another user), coupon-limit-reached (with reason) or idempotency-key-reused " +
                "(a different orderValue); 422 coupon-not-applicable (with reason); 404 unknown coupon; 503 coupon-busy " +
                "(the coupon stayed busy past the deadline; retry after Retry-After).")
            .WithRequestExample(new RedeemCoupon.Command("DEMO-10OFF", "user_0000001", "order-1001", 120.00m))
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesBodyProblems();
        coupons.MapPost("/redemptions/{redemptionId}/reverse", ReverseRedemption)
            .WithName(nameof(ReverseRedemption))
            .WithSummary("Give a redemption's use back (a cancelled order), exactly once; reversed is false when it already was.")
            .WithParameterExample("redemptionId", ExampleRedemptionId)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    public static async Task<Results<Created<CouponResponse>, ProblemHttpResult>> CreateCoupon(
        CreateCoupon.Command command, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(command, cancellationToken)).ToCreated(http, c => $"/api/admin/coupons/{c.Code}");

    public static async Task<Ok<Paged<CouponResponse>>> ListCoupons(
        string? status, string? kind, int? page, int? limit, ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new ListCoupons.Query(status, kind, page, limit), cancellationToken));

    public static async Task<Results<Ok<CouponResponse>, ProblemHttpResult>> GetCoupon(
        string code, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(new GetCoupon.Query(code), cancellationToken)).ToOk(http);

    public static async Task<Results<Ok<CouponResponse>, ProblemHttpResult>> DeactivateCoupon(
        string code, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(new DeactivateCoupon.Command(code), cancellationToken)).ToOk(http);

    public static async Task<Results<Ok<GetCouponStats.Response>, ProblemHttpResult>> GetCouponStats(
        string code, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(new GetCouponStats.Query(code), cancellationToken)).ToOk(http);

    public static async Task<Ok<KeysetPage<ValidationLogEntry>>> ListValidations(
        string? after, int? limit, ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(new ListValidations.Query(after, limit), cancellationToken));

    public static async Task<Ok<ValidateCoupon.Response>> ValidateCoupon(
        ValidateCoupon.Query query, ISender sender, CancellationToken cancellationToken) =>
        TypedResults.Ok(await sender.Send(query, cancellationToken));

    public static async Task<Results<Created<RedeemCoupon.Response>, Ok<RedeemCoupon.Response>, ProblemHttpResult>> RedeemCoupon(
        RedeemCoupon.Command command, ISender sender, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await sender.Send(command, cancellationToken);
        if (!result.IsSuccess)
        {
            return result.Error.ToProblem(http);
        }

        return result.Value.Created
            ? TypedResults.Created($"/api/coupons/redemptions/{result.Value.RedemptionId}", result.Value)
            : TypedResults.Ok(result.Value);
    }

    public static async Task<Results<Ok<Reversal>, ProblemHttpResult>> ReverseRedemption(
        Guid redemptionId, ISender sender, HttpContext http, CancellationToken cancellationToken) =>
        (await sender.Send(new ReverseRedemption.Command(redemptionId), cancellationToken)).ToOk(http);
}
