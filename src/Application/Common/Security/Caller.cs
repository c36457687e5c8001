using Capacity.Domain.Clients;

namespace Capacity.Application.Common.Security;

/// <summary>
/// Who sent the request: the client its API key belongs to, with the scopes it holds. The rate limiter keys on
/// <see cref="ClientId"/> and the audit log records it as the actor.
/// </summary>
/// <param name="ClientId">The client's id; <see cref="BootstrapAdminId"/> for the configured admin key.</param>
/// <param name="KeyId">The key that was sent (null for the configured admin key).</param>
/// <param name="Name">The client's name (not personal data: it names a system).</param>
/// <param name="Scopes">What the client may call.</param>
public sealed record Caller(Guid ClientId, Guid? KeyId, string Name, IReadOnlyList<string> Scopes)
{
    /// <summary>The id the configured bootstrap admin key (<c>Security:AdminApiKey</c>) acts as: the nil UUID.</summary>
    public static readonly Guid BootstrapAdminId = Guid.Empty;

    /// <summary>The configured admin key: every scope, every route.</summary>
    public static readonly Caller BootstrapAdmin = new(
        BootstrapAdminId, null, "bootstrap-admin", ClientScopes.All);

    public bool HasScope(string scope) => Scopes.Contains(scope, StringComparer.Ordinal);
}

/// <summary>
/// The one port through which a slice learns who is calling: the client (null for anonymous callers, e.g. code login
/// without a key), and where the request came from.
/// </summary>
public interface ICallerContext
{
    Caller? Current { get; }

    /// <summary>The caller's IP address as the server saw it (behind a proxy: configure forwarded headers).</summary>
    string? ClientIp { get; }

    /// <summary>The request's User-Agent header, when sent.</summary>
    string? UserAgent { get; }
}
