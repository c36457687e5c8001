using System.Security.Cryptography;
using System.Text;
using Capacity.WebApi.Problems;
using Microsoft.Extensions.Options;

namespace Capacity.WebApi.Security;

/// <summary>Admin endpoints: 401 without <c>X-Api-Key</c>, 403 with a wrong one (compared in constant time).</summary>
internal sealed class AdminApiKeyFilter(IOptions<SecurityOptions> options) : IEndpointFilter
{
    public const string HeaderName = "X-Api-Key";

    private readonly byte[]? _expected = string.IsNullOrEmpty(options.Value.AdminApiKey)
        ? null
        : Encoding.UTF8.GetBytes(options.Value.AdminApiKey);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var presented = context.HttpContext.Request.Headers[HeaderName].ToString();
        if (presented.Length == 0)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                type: ProblemTypes.ApiKeyMissing,
                title: "API key required",
                detail: $"Admin endpoints require the {HeaderName} header.");
        }

        if (_expected is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _expected))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                type: ProblemTypes.ApiKeyInvalid,
                title: "API key not accepted",
                detail: $"The {HeaderName} header does not hold the admin key.");
        }

        return await next(context);
    }
}

/// <summary>Endpoint metadata: the endpoint requires the admin key (the OpenAPI document declares it).</summary>
internal sealed class AdminApiKeyRequired;

internal static class AdminApiKeyFilterExtensions
{
    /// <summary>Requires the admin key on every endpoint of the group and documents the header and 401/403.</summary>
    public static RouteGroupBuilder RequireAdminKey(this RouteGroupBuilder group) =>
        group.AddEndpointFilter<AdminApiKeyFilter>()
            .WithMetadata(new AdminApiKeyRequired())
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
}
