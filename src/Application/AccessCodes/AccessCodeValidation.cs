using Capacity.Domain.AccessCodes;
using FluentValidation;

namespace Capacity.Application.AccessCodes;

/// <summary>The validation rule for an access code's text, shared by the slices that take one.</summary>
internal static class AccessCodeValidation
{
    public static IRuleBuilderOptions<T, string?> MustBeAccessCode<T>(this IRuleBuilder<T, string?> rule) =>
        rule
            .NotEmpty()
            .Length(AccessCodeRules.CodeMinLength, AccessCodeRules.CodeMaxLength)
            .Matches(AccessCodeRules.CodePattern)
            .WithMessage("'{PropertyName}' may contain only letters A-Z, digits 0-9, '-' and '_'.");
}
