using Capacity.Application.AccessCodes;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Domain.Coupons;
using FluentValidation;
using Mediator;

namespace Capacity.Application.Coupons;

/// <summary>An admin reads a coupon with its live usage count (not cached: admins see exact counts).</summary>
public static class GetCoupon
{
    public sealed record Query(string Code) : IQuery<Result<CouponResponse>>;

    internal sealed class Validator : AbstractValidator<Query>
    {
        public Validator() => RuleFor(q => q.Code).MustBeAccessCode();
    }

    internal sealed class Handler(ICouponStore store, TimeProvider clock) : IQueryHandler<Query, Result<CouponResponse>>
    {
        public async ValueTask<Result<CouponResponse>> Handle(Query query, CancellationToken cancellationToken)
        {
            var code = AccessCodeRules.Normalize(query.Code);
            return await store.FindAsync(code, cancellationToken) is { } coupon
                ? CouponResponse.From(coupon, clock.GetUtcNow())
                : CouponErrors.NotFound(code);
        }
    }
}
