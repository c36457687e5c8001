using Capacity.Domain.Clients;
using FluentValidation;

namespace Capacity.Application.Clients;

/// <summary>The rules a client's fields follow, in every slice that takes them.</summary>
internal static class ClientValidation
{
    public static IRuleBuilderOptions<T, string?> MustBeClientName<T>(this IRuleBuilder<T, string?> rule) =>
        rule.NotEmpty().MaximumLength(ClientRules.NameMaxLength);

    public static IRuleBuilderOptions<T, string[]?> MustBeScopes<T>(this IRuleBuilder<T, string[]?> rule) =>
        rule.NotEmpty().WithMessage("'{PropertyName}' must name at least one scope.")
            .Must(s => s is null || s.All(ClientScopes.IsKnown))
            .WithMessage($"'{{PropertyName}}' may hold only these scopes: {string.Join(", ", ClientScopes.All)}.");
}
