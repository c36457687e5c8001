using Capacity.Application.Common.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Capacity.WebApi.Security;

/// <summary>Client keys and scopes on ASP.NET Core's authentication and authorization.</summary>
internal static class SecuritySetup
{
    public static IServiceCollection AddCapacitySecurity(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<SecurityOptions>()
            .Bind(configuration.GetSection(SecurityOptions.Section))
            .Validate(
                o => environment.IsDevelopment() || o.AdminApiKey is { Length: >= SecurityOptions.MinimumKeyLength },
                $"Security:AdminApiKey (env Security__AdminApiKey) must be set, at least {SecurityOptions.MinimumKeyLength} characters, outside Development.")
            .ValidateOnStart();
        services.AddSingleton<BootstrapAdminKey>();

        // The scheme is named by each route's policy (ScopeEndpointExtensions), not made the default (ASP.NET Core
        // would make a single scheme the default): routes without a policy (health, metrics, the document) never look
        // at a key, and no key check runs outside the exception handler.
        AppContext.SetSwitch("Microsoft.AspNetCore.Authentication.SuppressAutoDefaultScheme", true);
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddSingleton<IAuthorizationHandler, ScopeAuthorizationHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ScopeAuthorizationResultHandler>();

        services.AddHttpContextAccessor();
        services.AddSingleton<ICallerContext, HttpCallerContext>();
        return services;
    }
}
