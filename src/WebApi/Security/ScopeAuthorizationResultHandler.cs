using Capacity.WebApi.Problems;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;

namespace Capacity.WebApi.Security;

/// <summary>
/// Answers a refused request with problem details before its body is read: 401 <c>api-key-missing</c> (no key),
/// 403 <c>api-key-invalid</c> (unknown, revoked or malformed key), 403 <c>scope-missing</c> naming the scope.
/// Counted in <c>capacity_security_refusals_total{reason}</c>; the key itself appears nowhere.
/// </summary>
internal sealed class ScopeAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private static readonly AuthorizationMiddlewareResultHandler Default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            await next(context);
            return;
        }

        var scope = policy.Requirements.OfType<ScopeRequirement>().Select(r => r.Scope).FirstOrDefault();
        if (scope is null)
        {
            // Not one of ours (no route declares other policies today): the framework's answer.
            await Default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        ProblemDetails refusal;
        if (authorizeResult.Forbidden)
        {
            refusal = new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Type = ProblemTypes.ScopeMissing,
                Title = "Scope missing",
                Detail = $"This route needs the '{scope}' scope, which this API key does not hold.",
                Extensions = { ["scope"] = scope },
            };
        }
        else if (ApiKeyCredentials.IsPresented(context.Request))
        {
            refusal = new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Type = ProblemTypes.ApiKeyInvalid,
                Title = "API key not accepted",
                Detail = $"The key sent in {ApiKeyCredentials.HeaderName} or Authorization is unknown, revoked or malformed.",
            };
        }
        else
        {
            refusal = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Type = ProblemTypes.ApiKeyMissing,
                Title = "API key required",
                Detail = $"This route needs an API key with the '{scope}' scope, sent as {ApiKeyCredentials.HeaderName} or Authorization: Bearer.",
                Extensions = { ["scope"] = scope },
            };
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"capacity\"";
        }

        var reason = refusal.Type![ProblemTypes.Prefix.Length..];
        SecurityMetrics.Refusals.Add(1, new KeyValuePair<string, object?>("reason", reason));
        context.Response.StatusCode = refusal.Status!.Value;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = refusal });
    }
}
