using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Capacity.Infrastructure.Persistence;

/// <summary>How the DbContext talks to PostgreSQL; shared by the app and design-time tools.</summary>
internal static class PersistenceSetup
{
    public static void Configure(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        options.UseNpgsql(dataSource, Npgsql).UseSnakeCaseNamingConvention();

    public static void Configure(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, Npgsql).UseSnakeCaseNamingConvention();

    // No EnableRetryOnFailure: it conflicts with user transactions and with failing fast behind the breaker.
    private static void Npgsql(Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.MigrationsHistoryTable("__ef_migrations_history");
}
