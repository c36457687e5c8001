using Capacity.Application.Common.Security;
using Capacity.Domain.Clients;

namespace Capacity.Application.Clients;

/// <summary>
/// Checks a presented client key: its format, its row (cached, by prefix), that it is not revoked, and its hash
/// (constant-time). Never logs or returns the key.
/// </summary>
public sealed class ApiKeyAuthenticator(IClientKeyDirectory directory)
{
    /// <summary>The caller the key belongs to, or null when it is not a working key.</summary>
    /// <param name="presented">The key as sent.</param>
    /// <param name="presentedHash">Its <see cref="ApiKeys.Hash"/> (the caller computes it once for every check it makes).</param>
    /// <param name="cancellationToken">Cancels the read on a cache miss.</param>
    public async ValueTask<Caller?> AuthenticateAsync(string presented, byte[] presentedHash, CancellationToken cancellationToken)
    {
        if (ApiKeys.PrefixOf(presented) is not { } prefix)
        {
            return null;
        }

        var record = await directory.FindAsync(prefix, cancellationToken);
        if (record is null || record.Revoked || !KeyHashComparer.Matches(presentedHash, record.Hash))
        {
            return null;
        }

        return new Caller(record.ClientId, record.KeyId, record.ClientName, record.Scopes);
    }
}
