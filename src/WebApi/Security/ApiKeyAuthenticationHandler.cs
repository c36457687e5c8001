using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Capacity.Application.Clients;
using Capacity.Application.Common.Security;
using Capacity.Domain.Clients;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Capacity.WebApi.Security;

/// <summary>
/// The <c>ApiKey</c> authentication scheme: the configured bootstrap admin key (every scope), else a client key
/// checked by <see cref="ApiKeyAuthenticator"/> (cached, constant-time). No key: no result (anonymous). A key that
/// does not work: a failure, which the route's policy turns into 403 <c>api-key-invalid</c>. The caller is put on
/// the request for <see cref="ICallerContext"/>. The key is never logged.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyAuthenticator authenticator,
    BootstrapAdminKey bootstrap)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ClientIdClaim = "client_id";
    public const string ScopeClaim = "scope";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ApiKeyCredentials.Read(Request) is not { } presented)
        {
            return AuthenticateResult.NoResult();
        }

        // A client key checked in the last second: no hash. Otherwise hash once, for the bootstrap key and the full check.
        var caller = authenticator.TryRecent(presented);
        if (caller is null)
        {
            var hash = ApiKeys.Hash(presented);
            caller = bootstrap.Matches(hash)
                ? Caller.BootstrapAdmin
                : await authenticator.AuthenticateAsync(presented, hash, Context.RequestAborted);
        }

        if (caller is null)
        {
            return AuthenticateResult.Fail("The API key is unknown, revoked or malformed.");
        }

        Context.Features.Set(caller);
        return AuthenticateResult.Success(new AuthenticationTicket(Principals.GetValue(caller, PrincipalOf), SchemeName));
    }

    /// <summary>
    /// One principal per <see cref="Caller"/> instance (the authenticator hands out the same one for a key for a second):
    /// the claims are built once, not per request. Nothing in this API adds to a principal after authentication.
    /// </summary>
    private static readonly ConditionalWeakTable<Caller, ClaimsPrincipal> Principals = new();

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

        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
    }
}

/// <summary>
/// <c>Security:AdminApiKey</c>, kept only as its SHA-256 and compared in constant time: the bootstrap admin, which may
/// call every route and creates the first clients.
/// </summary>
internal sealed class BootstrapAdminKey(IOptions<SecurityOptions> options)
{
    private readonly byte[]? _hash = string.IsNullOrEmpty(options.Value.AdminApiKey)
        ? null
        : ApiKeys.Hash(options.Value.AdminApiKey);

    public bool Matches(byte[] presentedHash) => _hash is not null && KeyHashComparer.Matches(presentedHash, _hash);
}

/// <summary><see cref="ICallerContext"/> for HTTP requests: the caller the <c>ApiKey</c> scheme put on the current request.</summary>
internal sealed class HttpCallerContext(IHttpContextAccessor accessor) : ICallerContext
{
    public Caller? Current => accessor.HttpContext?.Features.Get<Caller>();

    public string? ClientIp => accessor.HttpContext?.Connection.RemoteIpAddress?.ToString();

    public string? UserAgent => accessor.HttpContext?.Request.Headers.UserAgent is { Count: > 0 } agent ? agent.ToString() : null;
}
