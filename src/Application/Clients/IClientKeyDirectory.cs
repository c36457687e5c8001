namespace Capacity.Application.Clients;

/// <summary>
/// Key checks read through the cache (the composite-read pattern of docs/architecture.md): Infrastructure answers
/// from this instance's memory (FusionCache, <see cref="ClientCache"/>'s entry and duration) and reads
/// <see cref="IClientStore"/> through the database breaker on a miss. An unknown prefix is remembered as null like a known one.
/// </summary>
public interface IClientKeyDirectory
{
    ValueTask<KeyRecord?> FindAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Removes the key's cached row here and on every other instance (its revocation): never served stale afterwards.</summary>
    ValueTask ForgetAsync(string prefix, CancellationToken cancellationToken);
}
