namespace Capacity.Domain.Clients;

/// <summary>
/// A system that calls the API as itself (a shop backend, a membership front end, a booking app): a name, the
/// scopes it may use, and one or more API keys.
/// </summary>
public sealed class Client
{
    public required Guid Id { get; init; }

    public required string Name { get; set; }

    /// <summary>Scopes from <see cref="ClientScopes.All"/>, distinct, in catalogue order.</summary>
    public required string[] Scopes { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    public List<ClientKey> Keys { get; init; } = [];
}

/// <summary>
/// One API key of a client. Only its SHA-256 <see cref="Hash"/> is stored, beside a short visible
/// <see cref="Prefix"/> (unique) that tells keys apart and finds the key's row; the key itself is shown once.
/// </summary>
public sealed class ClientKey
{
    public required Guid Id { get; init; }

    public required Guid ClientId { get; init; }

    /// <summary>The key's first characters (<c>cap_</c> + 8), shown in lists: enough to tell keys apart, useless to call with.</summary>
    public required string Prefix { get; init; }

    /// <summary>SHA-256 of the whole key (UTF-8).</summary>
    public required byte[] Hash { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the key stopped working; null while it works.</summary>
    public DateTimeOffset? RevokedAt { get; set; }
}
