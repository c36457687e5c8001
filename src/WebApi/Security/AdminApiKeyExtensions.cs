namespace Capacity.WebApi.Security;

internal static class AdminApiKeyExtensions
{
    /// <summary>Requires the admin key on every endpoint of the group and documents 401/403.</summary>
    public static RouteGroupBuilder RequireAdminKey(this RouteGroupBuilder group) =>
        group.WithMetadata(new AdminApiKeyRequired())
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

    public static IApplicationBuilder UseAdminApiKey(this IApplicationBuilder app) =>
        app.UseMiddleware<AdminApiKeyMiddleware>();
}
