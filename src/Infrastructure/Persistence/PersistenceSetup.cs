using Capacity.Application.Common.Resilience;
using Capacity.Infrastructure.Health;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Capacity.Infrastructure.Persistence;

/// <summary>How the DbContext talks to PostgreSQL; shared by the app and design-time tools.</summary>
internal static class PersistenceSetup
{
    /// <summary>PostgreSQL: the data source for raw SQL, the pooled DbContext factory, its faults and health check.</summary>
    public static IServiceCollection AddPersistence(this IServiceCollection services, IConfiguration configuration, IHealthChecksBuilder health)
    {
        var postgres = configuration.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(postgres))
        {
            throw new InvalidOperationException(
                "ConnectionStrings:Postgres is not set (environment variable ConnectionStrings__Postgres).");
        }

        services.AddSingleton(DatabasePoolName.New());
        services.AddSingleton<Application.Performance.IDatabasePoolStatistics, NpgsqlPoolStatistics>();
        services.AddSingleton(sp =>
        {
            var dataSource = new NpgsqlDataSourceBuilder(postgres) { Name = sp.GetRequiredService<DatabasePoolName>().Value };

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

        health.AddCheck<PostgresHealthCheck>("postgres", HealthStatus.Unhealthy, [DependencyInjection.ReadyTag], TimeSpan.FromSeconds(3));
        return services;
    }

    /// <summary>
    /// EF logs a failed connection and a failed query at Error, with the stack trace, for every request: during a
    /// database outage that was thousands of lines a second. They are Debug here: the breaker logs the outage once, an
    /// unavailable database is a 503 the client sees, and any other failure still reaches the exception handler (500,
    /// logged) or CachingBehavior's log.
    /// </summary>
    public static void Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, Npgsql).UseSnakeCaseNamingConvention().ConfigureWarnings(QuietOutages);

    private static void QuietOutages(WarningsConfigurationBuilder warnings) =>
        warnings.Log(
            (RelationalEventId.ConnectionError, LogLevel.Debug),
            (CoreEventId.QueryIterationFailed, LogLevel.Debug));

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, Npgsql).UseSnakeCaseNamingConvention();

    // No EnableRetryOnFailure: it conflicts with user transactions and with failing fast behind the breaker.
    private static void Npgsql(Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.MigrationsHistoryTable("__ef_migrations_history");
}
