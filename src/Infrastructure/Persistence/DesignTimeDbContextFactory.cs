using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Capacity.Infrastructure.Persistence;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the API.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<CapacityDbContext>
{
    public CapacityDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<CapacityDbContext>();
        PersistenceSetup.Configure(options, "Host=127.0.0.1;Port=54329;Database=capacity;Username=capacity;Password=capacity");
        return new CapacityDbContext(options.Options);
    }
}
