using Capacity.Domain.Clients;

namespace Capacity.Application.Clients;

/// <summary>Clients and their keys in PostgreSQL.</summary>
public interface IClientStore
{
    /// <summary>Adds the client with its first key.</summary>
    Task AddAsync(Client client, ClientKey key, CancellationToken cancellationToken);

    /// <summary>One page of clients in creation order, each with its working-key count, and how many there are.</summary>
    Task<(IReadOnlyList<(Client Client, int ActiveKeys)> Clients, long Total)> ListAsync(long offset, int limit, CancellationToken cancellationToken);

    /// <summary>The client with all its keys (oldest first), or null.</summary>
    Task<Client?> FindAsync(Guid clientId, CancellationToken cancellationToken);

    /// <summary>Adds a key to the client unless it already has <paramref name="maxActiveKeys"/> working keys (checked under a lock on the client).</summary>
    Task<KeyAddition> AddKeyAsync(ClientKey key, int maxActiveKeys, CancellationToken cancellationToken);

    /// <summary>Revokes the key (a revoked key keeps its first revocation time); null when the client has no such key.</summary>
    Task<ClientKey?> RevokeKeyAsync(Guid clientId, Guid keyId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>What a key check needs about the key with that prefix, or null.</summary>
    Task<KeyRecord?> FindKeyAsync(string prefix, CancellationToken cancellationToken);
}

public enum KeyAddition
{
    Added,
    ClientNotFound,
    LimitReached,
}

/// <summary>A key's row and its client, as a key check needs them (cached: no key, only its hash).</summary>
/// <param name="Revoked">Revoked keys are remembered too, so a revoked key is refused without a database read.</param>
public sealed record KeyRecord(Guid KeyId, Guid ClientId, string ClientName, string[] Scopes, byte[] Hash, bool Revoked);
