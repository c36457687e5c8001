namespace Capacity.Application.Members;

/// <summary>What a card's signed payload says (seed 002's QR data, made verifiable offline).</summary>
/// <param name="MemberId">The member.</param>
/// <param name="MembershipNumber">The member's number.</param>
/// <param name="Status">active, expired or suspended, when issued.</param>
/// <param name="ValidTo">When the membership ends.</param>
/// <param name="IssuedAt">When this payload was signed.</param>
public sealed record CardClaims(Guid MemberId, string MembershipNumber, string Status, DateTimeOffset ValidTo, DateTimeOffset IssuedAt);

/// <summary>One public key of the card key set, as a JWK (RFC 7517): EC P-256, for ES256 signatures.</summary>
public sealed record CardKey(string Kty, string Crv, string X, string Y, string Kid, string Use, string Alg);

/// <summary>The keys a scanner may need: the signing key and those it replaced (RFC 7517 JWK set).</summary>
public sealed record CardKeySet(IReadOnlyList<CardKey> Keys);

/// <summary>Signs card payloads with the active ECDSA P-256 key; publishes every configured public key.</summary>
public interface ICardSigner
{
    /// <summary>A compact JWS (ES256, the key id in its header) of the claims.</summary>
    string Sign(CardClaims claims);

    CardKeySet PublicKeys { get; }
}
