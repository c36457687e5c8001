using Capacity.Application.AccessCodes;
using Capacity.Domain.AccessCodes;
using Capacity.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>
/// Access codes through EF Core. Each call rents its own context from the pool and returns it when done,
/// so a cache refresh that FusionCache lets finish in the background never shares a context with the
/// next request.
/// </summary>
internal sealed class EfAccessCodeStore(IDbContextFactory<CapacityDbContext> contexts) : IAccessCodeStore
{
    public async Task<bool> TryAddAsync(AccessCode code, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.AccessCodes.Add(code);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The unique index on code decided: another request created it first.
            db.Entry(code).State = EntityState.Detached;
            return false;
        }
    }

    public async Task<AccessCode?> FindAsync(string code, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.AccessCodes.AsNoTracking().FirstOrDefaultAsync(c => c.Code == code, cancellationToken);
    }

    public async Task<(IReadOnlyList<AccessCode> Codes, long Total)> ListAsync(long offset, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var total = await db.AccessCodes.LongCountAsync(cancellationToken);
        if (offset >= total)
        {
            // A page past the end (however far: offset may pass int.MaxValue) is empty; it still says where the end is.
            return ([], total);
        }

        // The unique index on code serves the order; OFFSET is fine for an admin list of codes (not an append-only log).
        var codes = await db.AccessCodes.AsNoTracking()
            .OrderBy(c => c.Code)
            .Skip((int)offset)
            .Take(limit)
            .ToListAsync(cancellationToken);
        return (codes, total);
    }

    public async Task<IReadOnlyList<UsageReport>> GetUsageAsync(IReadOnlyCollection<string> codes, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // One query: the codes by idx_access_codes_bulk_capacity_check, each one's open sessions counted
        // from idx_sessions_active_by_code.
        return await db.AccessCodes
            .Where(c => codes.Contains(c.Code))
            .Select(c => new UsageReport(
                c.Code,
                c.UsageCount,
                c.MaxUsageCount,
                db.Sessions.Count(s => s.CodeId == c.Id && s.EndedAt == null),
                c.MaxUsageCount - c.UsageCount,
                c.IsActive,
                c.ExpiresAt))
            .ToListAsync(cancellationToken);
    }
}
