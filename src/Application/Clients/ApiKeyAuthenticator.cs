using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Capacity.Application.Common.Security;
using Capacity.Domain.Clients;

namespace Capacity.Application.Clients;

/// <summary>
/// Checks a presented client key: its format, its row (by prefix), that it is not revoked, and its hash (constant-time).
/// Never logs or returns the key. A key that passed is remembered in this instance's memory for <see cref="LocalDuration"/>
/// (<see cref="TryRecent"/>: a dictionary read and a constant-time compare of the key, no hash, the same
/// <see cref="Caller"/> for every request of that second; decision 009). A revocation is seen at once on the instance that
/// made it and within <see cref="LocalDuration"/> plus the backplane's delay on the others.
/// </summary>
public sealed class ApiKeyAuthenticator(IClientKeyDirectory directory, TimeProvider clock)
{
    /// <summary>How long a working key's row stays in this instance's memory before the cache is asked again.</summary>
    public static readonly TimeSpan LocalDuration = TimeSpan.FromSeconds(1);

    /// <summary>Working keys remembered at most; past it the memory starts over (a bound, not an expected size).</summary>
    private const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<string, Known> _recent = new(StringComparer.Ordinal);

    // Keys that passed the full check in the last LocalDuration, by the key itself (only in this process's memory, like
    // the request that carried it): a hit skips the SHA-256, which costs more than the rest of a cached read's key check.
    private readonly ConcurrentDictionary<string, Verified> _verified = new(StringComparer.Ordinal);

    /// <summary>The caller of a key that passed the full check less than <see cref="LocalDuration"/> ago; null otherwise (then check it fully).</summary>
    public Caller? TryRecent(string presented)
    {
        if (!_verified.TryGetValue(presented, out var verified) || clock.GetTimestamp() >= verified.Until)
        {
            return null;
        }

        // The dictionary found it by equality; the decision itself is a constant-time compare of the whole key.
        return CryptographicOperations.FixedTimeEquals(
            MemoryMarshal.AsBytes(presented.AsSpan()), MemoryMarshal.AsBytes(verified.Key.AsSpan()))
            ? verified.Caller
            : null;
    }

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

        var now = clock.GetTimestamp();
        if (!_recent.TryGetValue(prefix, out var known) || now >= known.Until)
        {
            var record = await directory.FindAsync(prefix, cancellationToken);
            if (record is null || record.Revoked)
            {
                _recent.TryRemove(prefix, out _);
                return null;
            }

            if (_recent.Count >= MaxRemembered)
            {
                _recent.Clear();
            }

            known = new Known(record, new Caller(record.ClientId, record.KeyId, record.ClientName, record.Scopes),
                now + (long)(LocalDuration.TotalSeconds * clock.TimestampFrequency));
            _recent[prefix] = known;
        }

        if (!KeyHashComparer.Matches(presentedHash, known.Record.Hash))
        {
            return null;
        }

        if (_verified.Count >= MaxRemembered)
        {
            _verified.Clear();
        }

        _verified[presented] = new Verified(presented, known.Caller, known.Until);
        return known.Caller;
    }

    /// <summary>Forgets a key at once on this instance (its revocation).</summary>
    public void Forget(string prefix)
    {
        _recent.TryRemove(prefix, out _);
        foreach (var key in _verified.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            _verified.TryRemove(key, out _);
        }
    }

    private sealed record Known(KeyRecord Record, Caller Caller, long Until);

    private sealed record Verified(string Key, Caller Caller, long Until);
}
