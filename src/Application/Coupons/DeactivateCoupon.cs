using Capacity.Application.AccessCodes;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Domain.Coupons;
using FluentValidation;
using Mediator;

namespace Capacity.Application.Coupons;

/// <summary>An admin switches a coupon off: validations say inactive and redemptions are refused, on every instance at once.</summary>
public static class DeactivateCoupon
{
    public sealed record Command(string Code) : ICommand<Result<CouponResponse>>;

    internal sealed class Validator : AbstractValidator<Command>
    {
        public Validator() => RuleFor(c => c.Code).MustBeAccessCode();
    }

    internal sealed class Handler(ICouponStore store, ICouponDefinitions definitions, TimeProvider clock) : ICommandHandler<Command, Result<CouponResponse>>
    {
        public async ValueTask<Result<CouponResponse>> Handle(Command command, CancellationToken cancellationToken)
        {
            var code = AccessCodeRules.Normalize(command.Code);
            var now = clock.GetUtcNow();
            if (await store.DeactivateAsync(code, now, cancellationToken) is not { } coupon)
            {
                return CouponErrors.NotFound(code);
            }

            await definitions.ForgetAsync(code, cancellationToken);
            return CouponResponse.From(coupon, now);
        }
    }
}
