using Microsoft.AspNetCore.Authorization;

namespace Capacity.WebApi.Security;

/// <summary>
/// A route's scope: the caller's key must hold <see cref="Scope"/>. With <see cref="AllowsAnonymous"/>, a request that
/// presents no key at all passes too (code login: the access code is the end user's credential); a request that
/// presents a key is held to it.
/// </summary>
internal sealed record ScopeRequirement(string Scope, bool AllowsAnonymous) : IAuthorizationRequirement;

internal sealed class ScopeAuthorizationHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.HasClaim(ApiKeyAuthenticationHandler.ScopeClaim, requirement.Scope)
            || (requirement.AllowsAnonymous && context.Resource is HttpContext http && !ApiKeyCredentials.IsPresented(http.Request)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
