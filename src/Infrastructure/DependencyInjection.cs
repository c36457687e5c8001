using Capacity.Infrastructure.AccessCodes;
using Capacity.Infrastructure.Caching;
using Capacity.Infrastructure.Clients;
using Capacity.Infrastructure.Coupons;
using Capacity.Infrastructure.Members;
using Capacity.Infrastructure.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Capacity.Infrastructure;

public static class DependencyInjection
{
    /// <summary>Tag of the health checks that decide readiness (<c>/health/ready</c>).</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// The shared rooms — PostgreSQL (<see cref="PersistenceSetup"/>), the cache (<see cref="CachingSetup"/>) and their
    /// health checks — then one line per feature.
    /// </summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        var health = services.AddHealthChecks();
        services.AddPersistence(configuration, health);
        services.AddCaching(configuration, health);

        // One line per feature: each registers its stores, services and options in <Feature>/<Feature>Setup.cs.
        services.AddAccessCodes(configuration);
        services.AddClients();
        services.AddCoupons(configuration);
        services.AddMembers(configuration);
        return services;
    }
}
