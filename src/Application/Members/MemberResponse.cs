using Capacity.Domain.Members;

namespace Capacity.Application.Members;

/// <param name="MemberId">The member's id (UUIDv7).</param>
/// <param name="IdNumber">The national id number, upper case.</param>
/// <param name="MembershipNumber">M, 8 digits and a Luhn check digit; assigned once, never changed.</param>
/// <param name="Status">active, expired or suspended.</param>
public sealed record MemberResponse(
    Guid MemberId,
    string IdNumber,
    string FirstName,
    string Surname,
    string ProvinceCode,
    string MunicipalityCode,
    string WardCode,
    string MembershipNumber,
    string Status,
    DateTimeOffset JoinedAt,
    DateTimeOffset ExpiresAt)
{
    public static MemberResponse From(Member m) => new(
        m.Id, m.IdNumber, m.FirstName, m.Surname, m.ProvinceCode, m.MunicipalityCode, m.WardCode, m.MembershipNumber,
        MemberRules.Text(m.Status), m.JoinedAt, m.ExpiresAt);
}
