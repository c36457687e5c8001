using System.Security.Cryptography;
using System.Text;

namespace Capacity.Domain.Clients;

/// <summary>
/// The API key format: <c>cap_</c> + 8 prefix characters + <c>_</c> + 40 secret characters, all from
/// <c>[A-Za-z0-9]</c> (238 random bits in the secret). The first 12 characters are the visible, unique prefix
/// that finds the key's row; the whole key is hashed with SHA-256 and compared with the stored hash in constant
/// time (<see cref="KeyHashComparer"/>). A plain SHA-256 suffices (no slow KDF): the key is random, not a
/// password, so there is nothing to guess by brute force.
/// </summary>
public static class ApiKeys
{
    public const string Marker = "cap_";
    public const int PrefixRandomLength = 8;
    public const int SecretLength = 40;

    /// <summary><c>cap_</c> + 8 characters.</summary>
    public const int PrefixLength = 12;

    /// <summary>The whole key: prefix, <c>_</c>, secret.</summary>
    public const int Length = PrefixLength + 1 + SecretLength;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A new random key and its stored form.</summary>
    public static (string Key, string Prefix, byte[] Hash) Generate()
    {
        var prefix = Marker + RandomNumberGenerator.GetString(Alphabet, PrefixRandomLength);
        var key = prefix + "_" + RandomNumberGenerator.GetString(Alphabet, SecretLength);
        return (key, prefix, Hash(key));
    }

    /// <summary>The key's visible prefix when it has the key format; null otherwise (it cannot be a key of ours).</summary>
    public static string? PrefixOf(string presented)
    {
        if (presented.Length != Length || !presented.StartsWith(Marker, StringComparison.Ordinal) || presented[PrefixLength] != '_')
        {
            return null;
        }

        for (var i = Marker.Length; i < Length; i++)
        {
            if (i != PrefixLength && !char.IsAsciiLetterOrDigit(presented[i]))
            {
                return null;
            }
        }

        return presented[..PrefixLength];
    }

    /// <summary>SHA-256 of the key's UTF-8 bytes (a key of the format is hashed without an intermediate array).</summary>
    public static byte[] Hash(string key)
    {
        if (key.Length > Length * 2)
        {
            return SHA256.HashData(Encoding.UTF8.GetBytes(key));
        }

        Span<byte> utf8 = stackalloc byte[Length * 2 * 3];
        var written = Encoding.UTF8.GetBytes(key, utf8);
        return SHA256.HashData(utf8[..written]);
    }
}
