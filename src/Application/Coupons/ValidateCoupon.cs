using Capacity.Application.AccessCodes;
using Capacity.Application.Common.Security;
using Capacity.Application.Common.Validation;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Domain.Coupons;
using FluentValidation;
using Mediator;

namespace Capacity.Application.Coupons;

/// <summary>
/// A shop asks whether a coupon applies to an order and what it takes off. An invalid coupon is an answer (200 with a
/// stable reason), not an error. The definition is read through the cache; counts come from the database, exactly.
/// Every answer is logged (<see cref="IValidationLog"/>) without waiting for the log.
/// </summary>
public static class ValidateCoupon
{
    /// <param name="Code">The coupon's code (case-insensitive).</param>
    /// <param name="UserId">The shop's id of the customer.</param>
    /// <param name="OrderId">The order, when known: an order that already redeemed the coupon is order_already_used.</param>
    /// <param name="OrderValue">The order's value in its currency, 0 to 9,999,999,999.99, at most 2 decimals.</param>
    public sealed record Query(string? Code, string? UserId, decimal? OrderValue, string? OrderId = null) : IQuery<Response>;

    /// <param name="IsValid">The coupon applies.</param>
    /// <param name="Reason">Null when valid; else not_found, inactive, expired, not_started, wrong_user, min_order_not_met, order_already_used, usage_limit_reached or user_limit_reached (the first that applies).</param>
    /// <param name="DiscountApplied">What the coupon takes off (0.00 when invalid).</param>
    /// <param name="FinalAmount">The order value after the discount, never negative.</param>
    public sealed record Response(bool IsValid, string? Reason, decimal DiscountApplied, decimal FinalAmount);

    internal sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Code).MustBeAccessCode();
            RuleFor(q => q.UserId).MustBeExternalId();
            RuleFor(q => q.OrderId).MustBeExternalId().When(q => q.OrderId is not null);
            RuleFor(q => q.OrderValue).NotNull().MustBeMoney();
        }
    }

    internal sealed class Handler(
        ICouponDefinitions definitions, ICouponLedger ledger, IValidationLog log, ICallerContext caller, TimeProvider clock)
        : IQueryHandler<Query, Response>
    {
        public async ValueTask<Response> Handle(Query query, CancellationToken cancellationToken)
        {
            var started = clock.GetTimestamp();
            var code = AccessCodeRules.Normalize(query.Code!);
            var coupon = await definitions.FindAsync(code, cancellationToken);
            var response = await DecideAsync(coupon, query, cancellationToken);
            log.Record(new ValidationLogEntry(
                Guid.CreateVersion7(clock.GetUtcNow()), code, query.UserId!, query.OrderId, Money.Round(query.OrderValue!.Value),
                response.IsValid, response.Reason, response.DiscountApplied, response.FinalAmount, caller.ClientIp, caller.UserAgent,
                clock.GetElapsedTime(started).TotalMilliseconds, clock.GetUtcNow(), coupon?.Id));
            return response;
        }

        private async ValueTask<Response> DecideAsync(Coupon? coupon, Query query, CancellationToken cancellationToken)
        {
            var orderValue = Money.Round(query.OrderValue!.Value);
            if (coupon is null)
            {
                return Invalid(CouponReason.NotFound, orderValue);
            }

            if (CouponRules.RuleReason(coupon, query.UserId!, orderValue, clock.GetUtcNow()) is { } reason)
            {
                return Invalid(reason, orderValue);
            }

            var counts = await ledger.CountsAsync(coupon.Id, query.UserId!, query.OrderId, cancellationToken);
            var limitReason = counts switch
            {
                { OrderUsed: true } => CouponReason.OrderAlreadyUsed,
                _ when coupon.UsageLimit is { } limit && counts.UsageCount >= limit => CouponReason.UsageLimitReached,
                _ when coupon.PerUserLimit is { } perUser && counts.UserCount >= perUser => CouponReason.UserLimitReached,
                _ => null,
            };
            if (limitReason is not null)
            {
                return Invalid(limitReason, orderValue);
            }

            var discount = CouponRules.Discount(coupon, orderValue);
            return new Response(true, null, discount, Money.Round(orderValue - discount));
        }

        private static Response Invalid(string reason, decimal orderValue) => new(false, reason, 0.00m, orderValue);
    }
}
