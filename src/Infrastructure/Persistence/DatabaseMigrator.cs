using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Capacity.Infrastructure.Persistence;

/// <summary>Applies pending EF Core migrations (EF takes a lock, so concurrent instances are safe).</summary>
public static class DatabaseMigrator
{
    public static async Task MigrateAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CapacityDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
    }
}
