using Capacity.Application.Coupons;
using Capacity.Domain.Coupons;
using Capacity.Infrastructure.Persistence;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Capacity.Infrastructure.Coupons;

/// <summary>Coupon definitions through EF Core; each call rents its own context from the pool.</summary>
internal sealed class CouponStore(IDbContextFactory<CapacityDbContext> contexts) : ICouponStore
{
    public async Task<bool> TryAddAsync(Coupon coupon, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Coupons.Add(coupon);
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

    public async Task<Coupon?> FindAsync(string code, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Coupons.AsNoTracking().FirstOrDefaultAsync(c => c.Code == code, cancellationToken);
    }

    public async Task<(IReadOnlyList<Coupon> Coupons, long Total)> ListAsync(
        CouponStatus? status, CouponKind? kind, long offset, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var query = db.Coupons.AsNoTracking();
        if (kind is { } k)
        {
            query = query.Where(c => c.Kind == k);
        }

        // The effective status: a coupon past its validTo is expired, whatever is stored.
        query = status switch
        {
            CouponStatus.Expired => query.Where(c => c.Status == CouponStatus.Expired || (c.ValidTo != null && c.ValidTo <= now)),
            { } s => query.Where(c => c.Status == s && (c.ValidTo == null || c.ValidTo > now)),
            null => query,
        };

        var total = await query.LongCountAsync(cancellationToken);
        if (offset >= total)
        {
            return ([], total);
        }

        var coupons = await query.OrderBy(c => c.Code).Skip((int)offset).Take(limit).ToListAsync(cancellationToken);
        return (coupons, total);
    }

    public async Task<Coupon?> DeactivateAsync(string code, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var coupon = await db.Coupons.FirstOrDefaultAsync(c => c.Code == code, cancellationToken);
        if (coupon is null)
        {
            return null;
        }

        // Only the status columns: a concurrent redemption's usage count is not overwritten.
        await db.Coupons.Where(c => c.Id == coupon.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(c => c.Status, CouponStatus.Inactive).SetProperty(c => c.UpdatedAt, now), cancellationToken);
        coupon.Status = CouponStatus.Inactive;
        coupon.UpdatedAt = now;
        return coupon;
    }
}
