using System.Security.Cryptography;

namespace Capacity.Domain.Clients;

/// <summary>
/// Compares a presented key's hash with a stored one in time that does not depend on where they differ
/// (<see cref="CryptographicOperations.FixedTimeEquals"/>), so response times leak nothing about a stored hash.
/// Both sides are SHA-256 digests, so their lengths are equal and public.
/// </summary>
public static class KeyHashComparer
{
    public static bool Matches(ReadOnlySpan<byte> presentedHash, ReadOnlySpan<byte> storedHash) =>
        CryptographicOperations.FixedTimeEquals(presentedHash, storedHash);
}
