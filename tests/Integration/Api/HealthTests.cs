using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Api;

public sealed partial class HealthTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Probe_returns_200_healthy_when_the_dependencies_answer(string path)
    {
        var response = await api.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Summary_returns_200_with_status_database_cache_circuit_uptime_and_timestamp()
    {
        var response = await api.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(
            new[] { "status", "database", "cache", "circuit", "validationLog", "requestQueue", "uptimeSeconds", "timestamp" },
            health.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
        Assert.Equal("Healthy", health.GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Closed", health.GetProperty("circuit").GetString());
        Assert.InRange(health.GetProperty("uptimeSeconds").GetInt64(), 0, (long)TimeSpan.FromHours(1).TotalSeconds);
        Assert.InRange(
            health.GetProperty("timestamp").GetDateTimeOffset(),
            DateTimeOffset.UtcNow.AddMinutes(-1),
            DateTimeOffset.UtcNow.AddMinutes(1));

        var cache = health.GetProperty("cache");
        if (api.RedisConnectionString is null)
        {
            Assert.Equal("memory", cache.GetProperty("mode").GetString());
            Assert.Equal("not configured", cache.GetProperty("redis").GetString());
            Assert.False(cache.GetProperty("backplane").GetBoolean());
        }
        else
        {
            Assert.Equal("memory+redis", cache.GetProperty("mode").GetString());
            Assert.Equal("Healthy", cache.GetProperty("redis").GetString());
            Assert.True(cache.GetProperty("backplane").GetBoolean());
        }
    }

    [Fact]
    public async Task Metrics_count_a_request_in_capacity_request_duration_seconds()
    {
        // Heartbeats of unknown sessions: a series of their own (request and outcome labels).
        string[] series =
        [
            "capacity_request_duration_seconds_count{",
            "request=\"HeartbeatSession.Command\"",
            "outcome=\"session-not-found\"",
        ];
        var before = await CountAsync(series);

        (await api.Client.PostAsync($"/api/sessions/{Guid.NewGuid()}/heartbeat", null)).Dispose();

        // The exporter caches a scrape for a moment: poll until it shows the request, within a deadline.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var after = await CountAsync(series);
        while (after <= before && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100));
            after = await CountAsync(series);
        }

        Assert.True(after > before, $"{string.Join(' ', series)} stayed at {before}");
        var scrape = await ScrapeAsync();
        Assert.Contains("# TYPE capacity_request_duration_seconds histogram", scrape);
        Assert.Contains("capacity_request_duration_seconds_bucket{", scrape);
    }

    [Fact]
    public async Task Metrics_name_the_service_capacity_instead_of_unknown_service()
    {
        var scrape = await ScrapeAsync();

        // The exporter shows the OpenTelemetry resource (service.name, service.version) as target_info's labels.
        var target = scrape.Split('\n').SingleOrDefault(l => l.StartsWith("target_info{", StringComparison.Ordinal));
        Assert.NotNull(target);
        Assert.Contains("service_name=\"capacity\"", target, StringComparison.Ordinal);
        Assert.Matches("service_version=\"[^\"]+\"", target);
        Assert.DoesNotContain("unknown_service", scrape, StringComparison.Ordinal);
    }

    private async Task<string> ScrapeAsync()
    {
        var response = await api.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sample of the series whose line starts with the metric and holds every label given.</summary>
    private async Task<double> CountAsync(string[] series)
    {
        var scrape = await ScrapeAsync();
        var line = scrape.Split('\n').FirstOrDefault(l =>
            l.StartsWith(series[0], StringComparison.Ordinal) && series.Skip(1).All(label => l.Contains(label, StringComparison.Ordinal)));
        return line is null ? 0 : double.Parse(SampleValue().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\}\s+([0-9.eE+-]+)")]
    private static partial Regex SampleValue();
}
