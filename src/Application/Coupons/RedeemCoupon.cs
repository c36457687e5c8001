using Capacity.Application.AccessCodes;
using Capacity.Application.Common.Validation;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Domain.Coupons;
using FluentValidation;
using Mediator;

namespace Capacity.Application.Coupons;

/// <summary>
/// A shop records a coupon's use for an order, atomically within the total and per-user limits, whatever the
/// concurrency and however many instances. The same (code, order, user) again is an idempotent retry.
/// </summary>
public static class RedeemCoupon
{
    /// <param name="Code">The coupon's code (case-insensitive).</param>
    /// <param name="UserId">The shop's id of the customer.</param>
    /// <param name="OrderId">The order; one standing redemption of a coupon per order.</param>
    /// <param name="OrderValue">The order's value, 0 to 9,999,999,999.99, at most 2 decimals.</param>
    public sealed record Command(string? Code, string? UserId, string? OrderId, decimal? OrderValue) : ICommand<Result<Response>>;

    /// <param name="Created">False for a retry that got the redemption standing for this order (answered 200, not 201).</param>
    /// <param name="UsageCount">The coupon's standing redemptions after this one.</param>
    public sealed record Response(
        Guid RedemptionId, string Code, string UserId, string OrderId, decimal DiscountApplied, decimal FinalAmount, int UsageCount)
    {
        [System.Text.Json.Serialization.JsonIgnore]
        public bool Created { get; init; }
    }

    internal sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Code).MustBeAccessCode();
            RuleFor(c => c.UserId).MustBeExternalId();
            RuleFor(c => c.OrderId).MustBeExternalId();
            RuleFor(c => c.OrderValue).NotNull().MustBeMoney();
        }
    }

    internal sealed class Handler(ICouponLedger ledger) : ICommandHandler<Command, Result<Response>>
    {
        public async ValueTask<Result<Response>> Handle(Command command, CancellationToken cancellationToken)
        {
            var code = AccessCodeRules.Normalize(command.Code!);
            var request = new RedeemRequest(command.UserId!, command.OrderId!, Money.Round(command.OrderValue!.Value));
            var batch = await ledger.RedeemAsync(code, [request], cancellationToken);
            if (batch is null)
            {
                return CouponErrors.NotFound(code);
            }

            var outcome = batch.Outcomes[0];
            if (outcome.Error is { } error)
            {
                return error;
            }

            var r = outcome.Redemption!;
            return new Response(r.Id, batch.Code, r.UserId, r.OrderId, r.DiscountApplied, r.FinalAmount, batch.UsageCount)
            {
                Created = outcome.Created,
            };
        }
    }
}
