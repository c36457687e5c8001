using Capacity.Domain.Clients;

namespace Capacity.WebApi.Security;

/// <summary>What a route (or a whole group) needs, declared in its module in one call that also documents it.</summary>
internal static class ScopeEndpointExtensions
{
    /// <summary>A key holding <paramref name="scope"/> is required: 401 without a key, 403 with a key that does not work or lacks the scope.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.Declare(scope, anonymous: false)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

    /// <summary>
    /// Callable without a key; a request that sends one is held to it (403 when it does not work or lacks
    /// <paramref name="scope"/>).
    /// </summary>
    public static TBuilder RequireScopeOrAnonymous<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.Declare(scope, anonymous: true).ProducesProblem(StatusCodes.Status403Forbidden);

    private static TBuilder Declare<TBuilder>(this TBuilder builder, string scope, bool anonymous)
        where TBuilder : IEndpointConventionBuilder
    {
        if (!ClientScopes.IsKnown(scope))
        {
            throw new ArgumentException($"'{scope}' is not a scope of ClientScopes.", nameof(scope));
        }

        return builder.WithMetadata(new ScopeRequirement(scope, anonymous));
    }
}
