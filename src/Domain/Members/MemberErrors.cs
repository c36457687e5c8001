using Capacity.Domain.Common;

namespace Capacity.Domain.Members;

/// <summary>A member's errors. Messages never repeat an id number or a name (personal data).</summary>
public static class MemberErrors
{
    public static Error NotFound(Guid memberId) =>
        new("member-not-found", $"Member '{memberId}' does not exist.", ErrorKind.NotFound);

    public static Error NotFoundByIdNumber() =>
        new("member-not-found", "No member has this ID number.", ErrorKind.NotFound);

    public static Error ExpiryBeforeJoining(DateTimeOffset joinedAt) =>
        new("member-expiry-before-joining", $"expiresAt must be after the member joined ({joinedAt:O}).", ErrorKind.Unprocessable);

    public static Error Exists() =>
        new("member-exists", "A member with this ID number already exists.", ErrorKind.Conflict);
}
