namespace Capacity.WebApi.Security;

/// <summary>
/// Endpoint metadata: the caller's key must hold <see cref="Scope"/>. With <see cref="AllowsAnonymous"/>, a request that
/// presents no key at all passes too (code login: the access code is the end user's credential); a request that
/// presents a key is held to it. Read by <see cref="ApiKeyMiddleware"/> and by the OpenAPI document.
/// </summary>
internal sealed record ScopeRequirement(string Scope, bool AllowsAnonymous);
