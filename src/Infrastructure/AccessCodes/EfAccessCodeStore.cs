using Capacity.Application.AccessCodes;
using Capacity.Domain.AccessCodes;
using Capacity.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Capacity.Infrastructure.AccessCodes;

internal sealed class EfAccessCodeStore(CapacityDbContext db) : IAccessCodeStore
{
    public async Task<bool> TryAddAsync(AccessCode code, CancellationToken cancellationToken)
    {
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

    public Task<AccessCode?> FindAsync(string code, CancellationToken cancellationToken) =>
        db.AccessCodes.AsNoTracking().FirstOrDefaultAsync(c => c.Code == code, cancellationToken);
}
