using Capacity.Domain.Common;
using FluentValidation;

namespace Capacity.Application.Common.Validation;

/// <summary>Validation rules every feature shares: the caller's own ids and money.</summary>
public static class CommonRules
{
    /// <summary>A caller's id (user, order): 1-64 characters of letters, digits and <c>_ - . @ :</c>.</summary>
    public static IRuleBuilderOptions<T, string?> MustBeExternalId<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty()
            .MaximumLength(ExternalIds.MaxLength)
            .Matches(ExternalIds.Pattern)
            .WithMessage("'{PropertyName}' may contain only letters, digits, '_', '-', '.', '@' and ':'.");

    /// <summary>An amount of money: 0 to 9,999,999,999.99 with at most 2 decimal places.</summary>
    public static IRuleBuilderOptions<T, decimal?> MustBeMoney<T>(this IRuleBuilder<T, decimal?> rule) =>
        rule.InclusiveBetween(0m, Money.MaxAmount)
            .PrecisionScale(12, 2, ignoreTrailingZeros: true)
            .WithMessage(MoneyScaleMessage);

    /// <summary>An amount of money greater than 0: up to 9,999,999,999.99 with at most 2 decimal places.</summary>
    public static IRuleBuilderOptions<T, decimal?> MustBePositiveMoney<T>(this IRuleBuilder<T, decimal?> rule) =>
        rule.GreaterThan(0m)
            .LessThanOrEqualTo(Money.MaxAmount)
            .PrecisionScale(12, 2, ignoreTrailingZeros: true)
            .WithMessage(MoneyScaleMessage);

    /// <summary>What <see cref="MustBeMoney{T}"/> says about a third decimal (also shown in the OpenAPI descriptions).</summary>
    public const string MoneyScaleMessage = "'{PropertyName}' must have at most 2 decimal places.";
}
