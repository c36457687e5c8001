using System.Security.Cryptography;
using System.Text;
using Capacity.WebApi.Problems;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Capacity.WebApi.Security;

/// <summary>
/// Endpoints marked <see cref="AdminApiKeyRequired"/>: 401 without <c>X-Api-Key</c>, 403 with a wrong one
/// (compared in constant time). A middleware after routing, not an endpoint filter, so the key is checked
/// before the body is read: an unauthenticated caller learns nothing about what the endpoint accepts.
/// </summary>
internal sealed class AdminApiKeyMiddleware(RequestDelegate next, IOptions<SecurityOptions> options, IProblemDetailsService problems)
{
    public const string HeaderName = "X-Api-Key";

    private readonly byte[]? _expected = string.IsNullOrEmpty(options.Value.AdminApiKey)
        ? null
        : Encoding.UTF8.GetBytes(options.Value.AdminApiKey);

    public async Task InvokeAsync(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<AdminApiKeyRequired>() is null)
        {
            await next(http);
            return;
        }

        var presented = http.Request.Headers[HeaderName].ToString();
        ProblemDetails? refusal = null;
        if (presented.Length == 0)
        {
            refusal = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Type = ProblemTypes.ApiKeyMissing,
                Title = "API key required",
                Detail = $"Admin endpoints require the {HeaderName} header.",
            };
        }
        else if (_expected is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _expected))
        {
            refusal = new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Type = ProblemTypes.ApiKeyInvalid,
                Title = "API key not accepted",
                Detail = $"The {HeaderName} header does not hold the admin key.",
            };
        }

        if (refusal is null)
        {
            await next(http);
            return;
        }

        http.Response.StatusCode = refusal.Status!.Value;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = refusal });
    }
}
