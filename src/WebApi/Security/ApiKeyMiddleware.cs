using System.Runtime.CompilerServices;
using System.Security.Claims;
using Capacity.Application.Clients;
using Capacity.Application.Common.Security;
using Capacity.Domain.Clients;
using Capacity.WebApi.Problems;
using Microsoft.AspNetCore.Mvc;

namespace Capacity.WebApi.Security;

/// <summary>
/// Client keys and scopes for every endpoint with a <see cref="ScopeRequirement"/> (decision 009). After routing and inside
/// the exception handler, before the body is read. The key (<c>X-Api-Key</c> or <c>Authorization: Bearer</c>) is the
/// configured bootstrap admin key (every scope) or a client key checked by <see cref="ApiKeyAuthenticator"/>
/// (remembered for a second, then by prefix through the cache; SHA-256 compared in constant time). The caller goes on the
/// request for <see cref="ICallerContext"/>, and as <c>HttpContext.User</c> (claims <c>client_id</c>, name, <c>scope</c>).
/// Refusals are problem details: 401 <c>api-key-missing</c>, 403 <c>api-key-invalid</c>, 403 <c>scope-missing</c> naming
/// the scope, counted in <c>capacity_security_refusals_total{reason}</c>. The key appears in no log, problem or metric.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ApiKeyAuthenticator authenticator, BootstrapAdminKey bootstrap, IProblemDetailsService problems)
{
    public const string AuthenticationType = "ApiKey";
    public const string ClientIdClaim = "client_id";
    public const string ScopeClaim = "scope";

    /// <summary>One principal per <see cref="Caller"/> instance (the authenticator hands out the same one for a key for a second).</summary>
    private static readonly ConditionalWeakTable<Caller, ClaimsPrincipal> Principals = new();

    public async Task InvokeAsync(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<ScopeRequirement>() is not { } requirement)
        {
            await next(http);
            return;
        }

        if (ApiKeyCredentials.Read(http.Request) is not { } presented)
        {
            if (requirement.AllowsAnonymous && !ApiKeyCredentials.IsPresented(http.Request))
            {
                await next(http);
                return;
            }

            await RefuseAsync(http, Missing(requirement.Scope));
            return;
        }

        // A client key checked in the last second: no hash. Otherwise hash once, for the bootstrap key and the full check.
        var caller = authenticator.TryRecent(presented);
        if (caller is null)
        {
            var hash = ApiKeys.Hash(presented);
            caller = bootstrap.Matches(hash)
                ? Caller.BootstrapAdmin
                : await authenticator.AuthenticateAsync(presented, hash, http.RequestAborted);
        }

        if (caller is null)
        {
            await RefuseAsync(http, Invalid());
            return;
        }

        if (!caller.HasScope(requirement.Scope))
        {
            await RefuseAsync(http, ScopeMissing(requirement.Scope));
            return;
        }

        http.Features.Set(caller);
        http.User = Principals.GetValue(caller, PrincipalOf);
        await next(http);
    }

    private static ClaimsPrincipal PrincipalOf(Caller caller)
    {
        var claims = new List<Claim>(caller.Scopes.Count + 2)
        {
            new(ClientIdClaim, caller.ClientId.ToString()),
            new(ClaimTypes.Name, caller.Name),
        };
        foreach (var scope in caller.Scopes)
        {
            claims.Add(new Claim(ScopeClaim, scope));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType));
    }

    private async Task RefuseAsync(HttpContext http, ProblemDetails refusal)
    {
        SecurityMetrics.Refusals.Add(1, new KeyValuePair<string, object?>("reason", refusal.Type![ProblemTypes.Prefix.Length..]));
        if (refusal.Status == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"capacity\"";
        }

        http.Response.StatusCode = refusal.Status!.Value;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = refusal });
    }

    private static ProblemDetails Missing(string scope) => new()
    {
        Status = StatusCodes.Status401Unauthorized,
        Type = ProblemTypes.ApiKeyMissing,
        Title = "API key required",
        Detail = $"This route needs an API key with the '{scope}' scope, sent as {ApiKeyCredentials.HeaderName} or Authorization: Bearer.",
        Extensions = { ["scope"] = scope },
    };

    private static ProblemDetails Invalid() => new()
    {
        Status = StatusCodes.Status403Forbidden,
        Type = ProblemTypes.ApiKeyInvalid,
        Title = "API key not accepted",
        Detail = $"The key sent in {ApiKeyCredentials.HeaderName} or Authorization is unknown, revoked or malformed.",
    };

    private static ProblemDetails ScopeMissing(string scope) => new()
    {
        Status = StatusCodes.Status403Forbidden,
        Type = ProblemTypes.ScopeMissing,
        Title = "Scope missing",
        Detail = $"This route needs the '{scope}' scope, which this API key does not hold.",
        Extensions = { ["scope"] = scope },
    };
}

/// <summary>
/// <c>Security:AdminApiKey</c>, kept only as its SHA-256 and compared in constant time: the bootstrap admin, which may
/// call every route and creates the first clients.
/// </summary>
internal sealed class BootstrapAdminKey(Microsoft.Extensions.Options.IOptions<SecurityOptions> options)
{
    private readonly byte[]? _hash = string.IsNullOrEmpty(options.Value.AdminApiKey)
        ? null
        : ApiKeys.Hash(options.Value.AdminApiKey);

    public bool Matches(byte[] presentedHash) => _hash is not null && KeyHashComparer.Matches(presentedHash, _hash);
}

/// <summary><see cref="ICallerContext"/> for HTTP requests: the caller <see cref="ApiKeyMiddleware"/> put on the current request.</summary>
internal sealed class HttpCallerContext(IHttpContextAccessor accessor) : ICallerContext
{
    public Caller? Current => accessor.HttpContext?.Features.Get<Caller>();

    public string? ClientIp => accessor.HttpContext?.Connection.RemoteIpAddress?.ToString();

    public string? UserAgent => accessor.HttpContext?.Request.Headers.UserAgent is { Count: > 0 } agent ? agent.ToString() : null;
}
