using Capacity.Application.AccessCodes;
using Capacity.Application.Common.Caching;
using Capacity.Application.Common.Resilience;
using Capacity.Infrastructure.AccessCodes;
using Capacity.Infrastructure.Caching;
using Capacity.Infrastructure.Health;
using Capacity.Infrastructure.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StackExchange.Redis;

namespace Capacity.Infrastructure;

public static class DependencyInjection
{
    /// <summary>Tag of the health checks that decide readiness (<c>/health/ready</c>).</summary>
    public const string ReadyTag = "ready";

    /// <summary>
    /// PostgreSQL (pooled DbContext + a data source for the raw SQL), the cache (Redis L2 and backplane when
    /// <c>ConnectionStrings:Redis</c> is set) and their health checks.
    /// </summary>
    public static IServiceCollection AddInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        var postgres = configuration.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(postgres))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:Postgres is not set (environment variable ConnectionStrings__Postgres).");
        }

        services.AddSingleton(sp =>
        {
            var dataSource = new NpgsqlDataSourceBuilder(postgres);

            // The claim statement is large: prepared once per connection, PostgreSQL stops parsing and planning
            // it on every claim. A connection string that sets Max Auto Prepare (e.g. 0 behind an old PgBouncer)
            // keeps its own value.
            if (!postgres.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
            {
                dataSource.ConnectionStringBuilder.MaxAutoPrepare = 64;
            }

            return dataSource
                .UseLoggerFactory(sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>())
                .Build();
        });
        // A pooled context factory, not a scoped context: stores rent a context per call, so nothing that
        // outlives a request (a cache refresh finishing in the background) holds a context another request uses.
        services.AddPooledDbContextFactory<CapacityDbContext>((sp, options) =>
            PersistenceSetup.Configure(options, sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton<IDatabaseFaults, NpgsqlDatabaseFaults>();

        services.AddOptions<ClaimOptions>()
            .Bind(configuration.GetSection(ClaimOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IClaimStatements, ClaimBatchWriter>();
        services.AddSingleton<IClaimBatchWriter, GroupedClaimWriter>();
        services.AddSingleton<ClaimCoalescer>();
        services.AddSingleton<IAccessCodeStore, EfAccessCodeStore>();
        services.AddSingleton<ISeatLedger, PostgresSeatLedger>();
        services.AddOptions<CleanupOptions>()
            .Bind(configuration.GetSection(CleanupOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHostedService<IdleSessionCleanupService>();

        services.AddOptions<CachingOptions>()
            .Bind(configuration.GetSection(CachingOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var redis = configuration.GetConnectionString("Redis");
        var withRedis = !string.IsNullOrWhiteSpace(redis);
        var health = services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres", HealthStatus.Unhealthy, [ReadyTag], TimeSpan.FromSeconds(3));
        if (withRedis)
        {
            services.AddSingleton<IConnectionMultiplexer>(_ =>
            {
                var options = ConfigurationOptions.Parse(redis!);
                options.AbortOnConnectFail = false;
                options.ConnectTimeout = 2000;

                // While Redis is unreachable, fail cache commands at once (the cache then works on L1 alone)
                // instead of queueing them until the 5 s command timeout.
                options.BacklogPolicy = BacklogPolicy.FailFast;
                return ConnectionMultiplexer.Connect(options);
            });
            // Degraded, not unhealthy: without Redis every instance still serves from its L1 cache and the database.
            health.AddCheck<RedisHealthCheck>("redis", HealthStatus.Degraded, [ReadyTag], TimeSpan.FromSeconds(3));

            // Tag invalidations reach the other instances in batched pub/sub messages (see TagInvalidator).
            services.AddSingleton<RedisTagBroadcast>();
            services.AddSingleton<ITagBroadcast>(sp => sp.GetRequiredService<RedisTagBroadcast>());
            services.AddHostedService(sp => sp.GetRequiredService<RedisTagBroadcast>());
        }

        services.AddCapacityCache(withRedis);
        return services;
    }
}
