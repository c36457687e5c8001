namespace Capacity.Application.Members;

/// <param name="FullName">First name and surname.</param>
/// <param name="Status">active, expired or suspended.</param>
/// <param name="ValidFrom">When the membership began.</param>
/// <param name="ValidTo">When the membership ends.</param>
/// <param name="QrPayload">
/// A compact JWS (ES256) of {sub: memberId, mno: membershipNumber, sts: status, exp: validTo, iat: issued at}, its key
/// id in the header: verify it offline with the key of that id from GET /api/members/card-keys.
/// </param>
public sealed record CardResponse(
    Guid MemberId, string MembershipNumber, string FullName, string Status, DateTimeOffset ValidFrom, DateTimeOffset ValidTo, string QrPayload)
{
    /// <summary>Issues a member's card: the data and its signed payload, signed now.</summary>
    public static CardResponse Issue(MemberResponse member, ICardSigner signer, DateTimeOffset now)
    {
        var payload = signer.Sign(new CardClaims(member.MemberId, member.MembershipNumber, member.Status, member.ExpiresAt, now));
        return new CardResponse(
            member.MemberId, member.MembershipNumber, $"{member.FirstName} {member.Surname}", member.Status, member.JoinedAt,
            member.ExpiresAt, payload);
    }
}

/// <summary>A card's QR code as a PNG image.</summary>
public sealed record CardImage(byte[] Png);
