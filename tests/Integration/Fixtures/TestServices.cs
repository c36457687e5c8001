using Npgsql;
using Testcontainers.PostgreSql;
using Testcontainers.Redis;

namespace Capacity.IntegrationTests.Fixtures;

/// <summary>
/// Where the real PostgreSQL and Redis of the tests come from: Testcontainers when a Docker engine is
/// reachable, otherwise the instances <c>build/services</c> started (connection strings in the environment,
/// as <c>build/test</c> sets them). Neither → a clear failure, never a skip.
/// </summary>
public static class TestServices
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static (string Postgres, string? Redis)? _resolved;

    public static async Task<(string Postgres, string? Redis)> ResolveAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _resolved ??= await ResolveOnceAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<(string Postgres, string? Redis)> ResolveOnceAsync()
    {
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Postgres");
        var redis = Environment.GetEnvironmentVariable("ConnectionStrings__Redis");
        if (!string.IsNullOrWhiteSpace(postgres))
        {
            return (postgres, string.IsNullOrWhiteSpace(redis) ? null : redis);
        }

        if (DockerEngineReachable())
        {
            var pg = new PostgreSqlBuilder("postgres:15").Build();
            var rd = new RedisBuilder("redis:7").Build();
            await Task.WhenAll(pg.StartAsync(), rd.StartAsync());
            return (pg.GetConnectionString(), rd.GetConnectionString());
        }

        throw new InvalidOperationException(
            "Integration tests need PostgreSQL: no Docker engine is reachable and ConnectionStrings__Postgres is not set. " +
            "Run build/test (it starts build/services), or export the variables printed by `build/services env`.");
    }

    private static bool DockerEngineReachable()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        return !string.IsNullOrEmpty(host) || File.Exists("/var/run/docker.sock");
    }

    /// <summary>A connection string to a new, empty database of its own on the same server.</summary>
    public static async Task<string> CreateDatabaseAsync(string serverConnectionString, string name)
    {
        await using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string serverConnectionString, string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (attempt < 40 && e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                // FORCE may terminate only backends of our role: an autovacuum worker busy in the database (tests
                // that insert thousands of sessions wake it) makes PostgreSQL 15 refuse the drop. It is gone soon.
                await Task.Delay(TimeSpan.FromMilliseconds(250));
            }
        }
    }
}
