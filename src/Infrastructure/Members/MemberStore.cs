using Capacity.Application.Members;
using Capacity.Domain.Members;
using Capacity.Infrastructure.Persistence;
using Capacity.Infrastructure.Persistence.Configurations;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Capacity.Infrastructure.Members;

internal sealed class MemberStore(IDbContextFactory<CapacityDbContext> contexts, NpgsqlDataSource dataSource) : IMemberStore
{
    public async Task<long> NextMembershipSequenceAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT nextval('{MemberConfiguration.MembershipSequence}')");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<bool> TryAddAsync(Member member, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Members.Add(member);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return false;
        }
    }

    public async Task<Member?> FindAsync(Guid memberId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Members.AsNoTracking().FirstOrDefaultAsync(m => m.Id == memberId, cancellationToken);
    }

    public async Task<Member?> FindByIdNumberAsync(string normalizedIdNumber, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Members.AsNoTracking().FirstOrDefaultAsync(m => m.IdNumber == normalizedIdNumber, cancellationToken);
    }

    public async Task<Member?> UpdateAsync(
        Guid memberId, string firstName, string surname, MemberStatus status, DateTimeOffset expiresAt, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var member = await db.Members.FirstOrDefaultAsync(m => m.Id == memberId, cancellationToken);
        if (member is null)
        {
            return null;
        }

        member.FirstName = firstName;
        member.Surname = surname;
        member.Status = status;
        member.ExpiresAt = expiresAt;
        member.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
        return member;
    }
}
