using Capacity.Domain.Clients;

namespace Capacity.Application.Clients;

/// <summary>A key as lists show it: never the key itself.</summary>
/// <param name="Id">The key's id (revoke it by this id).</param>
/// <param name="Prefix">The key's first 12 characters, to tell keys apart.</param>
/// <param name="CreatedAt">When the key was issued.</param>
/// <param name="RevokedAt">When it stopped working; null while it works.</param>
public sealed record ClientKeyResponse(Guid Id, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static ClientKeyResponse From(ClientKey key) => new(key.Id, key.Prefix, key.CreatedAt, key.RevokedAt);
}

/// <summary>A client with its keys.</summary>
public sealed record ClientResponse(Guid Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, IReadOnlyList<ClientKeyResponse> Keys)
{
    public static ClientResponse From(Client client) => new(
        client.Id, client.Name, client.Scopes, client.CreatedAt, client.Keys.Select(ClientKeyResponse.From).ToList());
}

/// <summary>A key as issued: the only time the key itself is shown.</summary>
/// <param name="KeyId">The new key's id.</param>
/// <param name="Prefix">Its visible prefix.</param>
/// <param name="Key">The key: send it as <c>X-Api-Key</c> or <c>Authorization: Bearer</c>. Shown once, stored only as a hash.</param>
public sealed record IssuedKey(Guid KeyId, string Prefix, string Key, DateTimeOffset CreatedAt);
