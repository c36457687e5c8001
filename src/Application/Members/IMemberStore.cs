using Capacity.Domain.Members;

namespace Capacity.Application.Members;

/// <summary>Members in PostgreSQL.</summary>
public interface IMemberStore
{
    /// <summary>The next membership sequence number (a database sequence: unique across instances, never reused).</summary>
    Task<long> NextMembershipSequenceAsync(CancellationToken cancellationToken);

    /// <summary>Adds the member; false when its id number is taken.</summary>
    Task<bool> TryAddAsync(Member member, CancellationToken cancellationToken);

    Task<Member?> FindAsync(Guid memberId, CancellationToken cancellationToken);

    Task<Member?> FindByIdNumberAsync(string normalizedIdNumber, CancellationToken cancellationToken);

    /// <summary>Changes the names, status and expiry; null when there is no such member.</summary>
    Task<Member?> UpdateAsync(
        Guid memberId, string firstName, string surname, MemberStatus status, DateTimeOffset expiresAt, DateTimeOffset now,
        CancellationToken cancellationToken);
}
