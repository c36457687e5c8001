using System.Net;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Capacity.IntegrationTests.Api;

/// <summary>The API with a database pool of 5 connections.</summary>
public sealed class SmallPoolApiFactory : CapacityApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ConnectionStrings:Postgres"] = ConnectionString + ";Maximum Pool Size=5",
    };
}

/// <summary>
/// The performance API's instance-wide figures and alerts (seed 002): the database pool read from Npgsql's own pool
/// statistics, and the request queue.
/// </summary>
public sealed class SystemAlertTests(SmallPoolApiFactory api) : IClassFixture<SmallPoolApiFactory>
{
    [Fact]
    public async Task The_pool_alert_fires_when_more_than_80_percent_of_the_pool_is_in_use_and_clears_after()
    {
        var dataSource = api.Services.GetRequiredService<NpgsqlDataSource>();
        var before = await PerformanceAsync();
        Assert.Equal(5, before.GetProperty("databasePool").GetProperty("max").GetInt32());
        Assert.DoesNotContain(Kinds(before), k => k == "database-pool");

        var held = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < 5; i++)
            {
                held.Add(await dataSource.OpenConnectionAsync());
            }

            var busy = await PerformanceAsync();

            Assert.Equal(5, busy.GetProperty("databasePool").GetProperty("busy").GetInt32());
            var alert = busy.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("kind").GetString() == "database-pool");
            Assert.Equal(1.0, alert.GetProperty("value").GetDouble());
            Assert.Equal(0.8, alert.GetProperty("threshold").GetDouble());
        }
        finally
        {
            foreach (var connection in held)
            {
                await connection.DisposeAsync();
            }
        }

        var after = await PerformanceAsync();
        Assert.Equal(0, after.GetProperty("databasePool").GetProperty("busy").GetInt32());
        Assert.DoesNotContain(Kinds(after), k => k == "database-pool");
    }

    [Fact]
    public async Task The_request_queue_figures_are_shown()
    {
        var queue = (await PerformanceAsync()).GetProperty("requestQueue");

        Assert.True(queue.GetProperty("enabled").GetBoolean());
        Assert.Equal(100, queue.GetProperty("maxConcurrent").GetInt32());
        Assert.Equal(2000, queue.GetProperty("maxQueued").GetInt32());
        Assert.Equal(0, queue.GetProperty("queued").GetInt32());
    }

    private async Task<JsonElement> PerformanceAsync()
    {
        var response = await api.AdminClient.GetAsync("/api/admin/performance");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static IEnumerable<string?> Kinds(JsonElement performance) =>
        performance.GetProperty("alerts").EnumerateArray().Select(a => a.GetProperty("kind").GetString());
}
