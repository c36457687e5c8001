using Capacity.Domain.Members;
using FluentValidation;

namespace Capacity.Application.Members;

/// <summary>The member rules as validators (the messages name the field and the rule).</summary>
internal static class MemberValidation
{
    public static IRuleBuilderOptions<T, string?> MustBeIdNumber<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty()
            .Length(MemberRules.IdNumberMinLength, MemberRules.IdNumberMaxLength)
            .Matches(MemberRules.IdNumberPattern)
            .WithMessage("'{PropertyName}' may contain only letters and digits.");

    public static IRuleBuilderOptions<T, string?> MustBeName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty()
            .MaximumLength(MemberRules.NameMaxLength)
            .Matches(MemberRules.NamePattern)
            .WithMessage("'{PropertyName}' must not contain control characters.");

    public static IRuleBuilderOptions<T, string?> MustBeAreaCode<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty()
            .MaximumLength(MemberRules.AreaCodeMaxLength)
            .Matches(MemberRules.AreaCodePattern)
            .WithMessage("'{PropertyName}' may contain only letters, digits and '-'.");

    public static IRuleBuilderOptions<T, string?> MustBeMemberStatus<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(s => MemberRules.ParseStatus(s) is not null)
            .WithMessage("'{PropertyName}' must be \"active\", \"expired\" or \"suspended\".");
}
