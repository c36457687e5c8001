using Capacity.Domain.Common;

namespace Capacity.Domain.Clients;

/// <summary>Every expected failure of clients and their keys.</summary>
public static class ClientErrors
{
    public static Error NotFound(Guid clientId) =>
        new("client-not-found", $"Client '{clientId}' does not exist.", ErrorKind.NotFound);

    public static Error KeyNotFound(Guid clientId, Guid keyId) =>
        new("client-key-not-found", $"Client '{clientId}' has no key '{keyId}'.", ErrorKind.NotFound);

    public static Error KeyLimit(Guid clientId) =>
        new("client-key-limit", $"Client '{clientId}' already has {ClientRules.MaxActiveKeys} working keys: revoke one first.", ErrorKind.Conflict);
}
