using Capacity.Domain.AccessCodes;
using FluentValidation;

namespace Capacity.Application.Coupons;

/// <summary>The rule for a coupon's code, shared by the slices that take one: the access codes' alphabet and lengths.</summary>
internal static class CouponValidation
{
    public static IRuleBuilderOptions<T, string?> MustBeCouponCode<T>(this IRuleBuilder<T, string?> rule) =>
        rule
            .NotEmpty()
            .Length(AccessCodeRules.CodeMinLength, AccessCodeRules.CodeMaxLength)
            .Matches(AccessCodeRules.CodePattern)
            .WithMessage("'{PropertyName}' may contain only letters A-Z, digits 0-9, '-' and '_'.");
}
