using Capacity.Infrastructure.Persistence;
using Mediator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Respawn;

namespace Capacity.IntegrationTests.Fixtures;

/// <summary>
/// The API in-process over a database of its own (created, migrated and dropped by this fixture) and, when
/// Redis is there, a cache key prefix and backplane channel of its own. Test classes therefore run in
/// parallel without touching each other's rows or cache entries.
/// </summary>
public class CapacityApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminKey = "integration-admin-key-0123456789";

    private readonly string _databaseName = $"capacity_test_{Guid.NewGuid():N}";
    private string _serverConnectionString = "";
    private Respawner? _respawner;

    public string ConnectionString { get; private set; } = "";

    public string? RedisConnectionString { get; private set; }

    /// <summary>This host's cache key prefix and backplane channel; a second instance of the same deployment shares it.</summary>
    public string CacheKeyPrefix => "t-" + _databaseName;

    /// <summary>This host's validation log journal (each instance has its own).</summary>
    public string JournalDirectory { get; } = Path.Combine(Path.GetTempPath(), "capacity-tests", "journal-" + Guid.NewGuid().ToString("N"));

    /// <summary>Extra settings a derived fixture wants (key: configuration path).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Where this fixture's PostgreSQL server is; the fault fixture brings its own.</summary>
    protected virtual Task<(string Postgres, string? Redis)> ResolveServicesAsync() => TestServices.ResolveAsync();

    public HttpClient Client { get; private set; } = null!;

    /// <summary>A client that sends the admin key.</summary>
    public HttpClient AdminClient { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        (_serverConnectionString, RedisConnectionString) = await ResolveServicesAsync();
        ConnectionString = await TestServices.CreateDatabaseAsync(_serverConnectionString, _databaseName);
        await DatabaseMigrator.MigrateAsync(Services);
        Client = CreateClient();
        AdminClient = CreateClient();
        AdminClient.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Postgres", ConnectionString);
        builder.UseSetting("ConnectionStrings:Redis", RedisConnectionString ?? "");
        builder.UseSetting("Security:AdminApiKey", AdminKey);
        builder.UseSetting("Caching:KeyPrefix", CacheKeyPrefix);
        builder.UseSetting("ValidationLog:JournalDirectory", JournalDirectory);
        builder.UseSetting("Cards:SigningKeys:0:KeyId", TestCardKey.KeyId);
        builder.UseSetting("Cards:SigningKeys:0:PrivateKeyPem", TestCardKey.Pem);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>Sends a request through the mediator, in a scope of its own, as an endpoint would.</summary>
    public async Task<TResponse> SendAsync<TResponse>(IRequest<TResponse> request)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ISender>().Send(request);
    }

    /// <summary>Empties every table (Respawn); the cache keeps its entries, so tests use fresh codes.</summary>
    public async Task ResetDatabaseAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        _respawner ??= await Respawner.CreateAsync(connection, new RespawnerOptions
        {
            DbAdapter = DbAdapter.Postgres,
            TablesToIgnore = ["__ef_migrations_history"],
        });
        await _respawner.ResetAsync(connection);
    }

    /// <summary>Runs SQL against this fixture's database and returns the first column of the first row.</summary>
    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// A second API instance, its own process, on the same database, Redis and key prefix as this one (idle
    /// cleanup off): what two instances behind a load balancer share.
    /// </summary>
    public Task<ApiProcess> StartSecondInstanceAsync() =>
        ApiProcess.StartAsync(ApiProcess.FreeLoopbackPort(), new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = ConnectionString,
            ["ConnectionStrings:Redis"] = RedisConnectionString ?? "",
            ["Caching:KeyPrefix"] = CacheKeyPrefix,
            ["Security:AdminApiKey"] = AdminKey,
            ["Cleanup:Enabled"] = "false",
            ["ValidationLog:JournalDirectory"] = JournalDirectory + "-2",
        });

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await TestServices.DropDatabaseAsync(_serverConnectionString, _databaseName);
        foreach (var directory in new[] { JournalDirectory, JournalDirectory + "-2" }.Where(Directory.Exists))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
