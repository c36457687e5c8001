using Capacity.Domain.Members;

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
    public static CardResponse Issue(Member member, ICardSigner signer, DateTimeOffset now)
    {
        var status = MemberRules.Text(member.Status);
        var payload = signer.Sign(new CardClaims(member.Id, member.MembershipNumber, status, member.ExpiresAt, now));
        return new CardResponse(
            member.Id, member.MembershipNumber, $"{member.FirstName} {member.Surname}", status, member.JoinedAt, member.ExpiresAt, payload);
    }
}

/// <summary>A card's QR code as a PNG image.</summary>
public sealed record CardImage(byte[] Png);
