using Capacity.Application.Common.Messaging;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Domain.Coupons;
using FluentValidation;
using Mediator;

namespace Capacity.Application.Coupons;

/// <summary>An admin switches a coupon off: validations say inactive and redemptions are refused, on every instance at once.</summary>
public static class DeactivateCoupon
{
    public sealed record Command(string Code) : ICommand<Result<CouponResponse>>, IInvalidatesCache<Result<CouponResponse>>
    {
        public IEnumerable<string> CacheTagsToInvalidate(Result<CouponResponse> response) =>
            [CouponCache.CouponTag(AccessCodeRules.Normalize(Code))];
    }

    internal sealed class Validator : AbstractValidator<Command>
    {
        public Validator() => RuleFor(c => c.Code).MustBeCouponCode();
    }

    internal sealed class Handler(ICouponStore store, TimeProvider clock) : ICommandHandler<Command, Result<CouponResponse>>
    {
        public async ValueTask<Result<CouponResponse>> Handle(Command command, CancellationToken cancellationToken)
        {
            var code = AccessCodeRules.Normalize(command.Code);
            var now = clock.GetUtcNow();
            return await store.DeactivateAsync(code, now, cancellationToken) is { } coupon
                ? CouponResponse.From(coupon, now)
                : CouponErrors.NotFound(code);
        }
    }
}
