using Capacity.Domain.AccessCodes;
using Capacity.Domain.Clients;
using Capacity.Domain.Coupons;
using Capacity.Domain.Members;
using Microsoft.EntityFrameworkCore;

namespace Capacity.Infrastructure.Persistence;

/// <summary>
/// The EF Core context, pooled (<c>AddPooledDbContextFactory</c>): one constructor taking only options and no
/// scoped state. Correctness-critical writes (claims, releases) are raw SQL in <c>PostgresSeatLedger</c>.
/// </summary>
public sealed class CapacityDbContext(DbContextOptions<CapacityDbContext> options) : DbContext(options)
{
    public DbSet<AccessCode> AccessCodes => Set<AccessCode>();

    public DbSet<Session> Sessions => Set<Session>();

    public DbSet<Client> Clients => Set<Client>();

    public DbSet<ClientKey> ClientKeys => Set<ClientKey>();

    public DbSet<Coupon> Coupons => Set<Coupon>();

    public DbSet<Redemption> Redemptions => Set<Redemption>();

    public DbSet<ValidationLogEntry> ValidationLogs => Set<ValidationLogEntry>();

    public DbSet<Member> Members => Set<Member>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CapacityDbContext).Assembly);
        modelBuilder.HasSequence<long>(Configurations.MemberConfiguration.MembershipSequence).StartsAt(1).IncrementsBy(1);
    }
}
