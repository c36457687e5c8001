using Capacity.Application.Common.Security;

namespace Capacity.WebApi.Security;

/// <summary>Client keys and scopes: the bootstrap admin key, the caller port and <see cref="ApiKeyMiddleware"/>.</summary>
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
        services.AddHttpContextAccessor();
        services.AddSingleton<ICallerContext, HttpCallerContext>();
        return services;
    }

    /// <summary>After routing (the endpoint is known) and inside the exception handler; before any body is read.</summary>
    public static IApplicationBuilder UseApiKeys(this IApplicationBuilder app) => app.UseMiddleware<ApiKeyMiddleware>();
}
