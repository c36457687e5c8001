using System.ComponentModel.DataAnnotations;
using Capacity.Application.Common.Options;

namespace Capacity.Infrastructure.Members;

/// <summary>
/// Section <c>Cards</c>: the ECDSA P-256 keys that sign card payloads. Every key listed is published at
/// <c>GET /api/members/card-keys</c>; the active one signs. To rotate: add the new key, make it active, and keep the old
/// one (its public part is enough) until the cards it signed have expired from every scanner's cache.
/// </summary>
public sealed class CardOptions : ISectionOptions
{
    public static string SectionName => "Cards";

    /// <summary>The key id that signs (default: the first key with a private part).</summary>
    public string? ActiveKeyId { get; set; }

    public List<CardSigningKey> SigningKeys { get; set; } = [];

    /// <summary>
    /// Development only, when no key is configured: a key generated once and kept in this file (relative to the content
    /// root), so restarts and the instances of one checkout share it. Production refuses to start without a key.
    /// </summary>
    [Required]
    public string DevelopmentKeyFile { get; set; } = ".data/card-signing-key.pem";
}

/// <summary>One key: an id and a PEM (PKCS#8 or SEC1 private key; or, for a retired key, only its public key).</summary>
public sealed class CardSigningKey
{
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string KeyId { get; set; } = "";

    /// <summary>The private key as PEM text.</summary>
    public string? PrivateKeyPem { get; set; }

    /// <summary>A file holding the private key as PEM (a mounted secret).</summary>
    public string? PrivateKeyFile { get; set; }

    /// <summary>A retired key: its public key as PEM; published, never used to sign.</summary>
    public string? PublicKeyPem { get; set; }
}
