namespace Capacity.Domain.Members;

/// <summary>A member's standing, as stored.</summary>
public enum MemberStatus
{
    Active,
    Expired,
    Suspended,
}

/// <summary>
/// A member of the organisation (seed 002). <see cref="IdNumber"/> and the names are personal data: they never go to
/// logs, metric labels, traces or cache keys.
/// </summary>
public sealed class Member
{
    /// <summary>UUIDv7, assigned by the API.</summary>
    public required Guid Id { get; init; }

    /// <summary>The national id number: unique, 6-20 letters and digits, stored upper case.</summary>
    public required string IdNumber { get; init; }

    public required string FirstName { get; set; }

    public required string Surname { get; set; }

    public required string ProvinceCode { get; init; }

    public required string MunicipalityCode { get; init; }

    public required string WardCode { get; init; }

    /// <summary>Assigned once at creation and never changed (<see cref="MembershipNumbers"/>).</summary>
    public required string MembershipNumber { get; init; }

    public required MemberStatus Status { get; set; }

    public required DateTimeOffset JoinedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; set; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; set; }
}
