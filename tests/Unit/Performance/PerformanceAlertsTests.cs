using Capacity.Application.Common.Metrics;
using Capacity.Application.Performance;

namespace Capacity.UnitTests.Performance;

public sealed class PerformanceAlertsTests
{
    private static readonly PerformanceOptions Seed = new();

    private static WindowStats Stats(double averageMs = 10, double successRate = 1) =>
        new(100, successRate, averageMs, averageMs, averageMs, averageMs, averageMs);

    [Fact]
    public void No_alert_when_every_figure_is_within_its_threshold()
    {
        Assert.Empty(PerformanceAlerts.For("Op", Stats(averageMs: 1000, successRate: 0.99), inFlight: 50, Seed));
    }

    [Fact]
    public void Slow_alert_when_average_is_above_one_second()
    {
        var alert = Assert.Single(PerformanceAlerts.For("Op", Stats(averageMs: 1000.5), inFlight: 0, Seed));

        Assert.Equal("slow", alert.Kind);
        Assert.Equal(1000.5, alert.Value);
        Assert.Equal(1000, alert.Threshold);
    }

    [Fact]
    public void Failing_alert_when_success_rate_is_below_99_percent_seed_002s_error_rate_above_1_percent()
    {
        var alert = Assert.Single(PerformanceAlerts.For("Op", Stats(successRate: 0.989), inFlight: 0, Seed));

        Assert.Equal("failing", alert.Kind);
    }

    [Fact]
    public void Concurrency_alert_when_more_than_50_are_in_flight_even_without_samples()
    {
        var alert = Assert.Single(PerformanceAlerts.For("Op", stats: null, inFlight: 51, Seed));

        Assert.Equal("concurrency", alert.Kind);
        Assert.Equal("Op", alert.Operation);
    }

    [Fact]
    public void Thresholds_come_from_the_options()
    {
        var strict = new PerformanceOptions { SlowAverageMs = 5, MinSuccessRate = 0.999, MaxConcurrency = 2 };

        var kinds = PerformanceAlerts.For("Op", Stats(averageMs: 6, successRate: 0.99), inFlight: 3, strict).Select(a => a.Kind);

        Assert.Equal(["slow", "failing", "concurrency"], kinds);
    }

    [Fact]
    public void Database_pool_alert_above_80_percent_in_use()
    {
        Assert.Empty(SystemAlerts.For(new PoolFigures(8, 10), [], Queue(0), Seed));

        var alert = Assert.Single(SystemAlerts.For(new PoolFigures(9, 10), [], Queue(0), Seed));

        Assert.Equal("database-pool", alert.Kind);
        Assert.Equal(0.9, alert.Value);
        Assert.Equal(0.8, alert.Threshold);
    }

    [Fact]
    public void Cache_hit_rate_alert_below_70_percent_once_a_query_has_100_lookups()
    {
        Assert.Empty(SystemAlerts.For(null, [("Cold", 10, 89)], Queue(0), Seed));
        Assert.Empty(SystemAlerts.For(null, [("Warm", 70, 30)], Queue(0), Seed));

        var alert = Assert.Single(SystemAlerts.For(null, [("Warm", 70, 30), ("Poor", 69, 31)], Queue(0), Seed));

        Assert.Equal(("Poor", "cache-hit-rate", 0.69), (alert.Operation, alert.Kind, alert.Value));
    }

    [Fact]
    public void Request_queue_alert_above_80_percent_full_and_never_when_the_queue_is_off()
    {
        Assert.Empty(SystemAlerts.For(null, [], Queue(1600), Seed));

        Assert.Equal("request-queue", Assert.Single(SystemAlerts.For(null, [], Queue(1601), Seed)).Kind);
        Assert.Empty(SystemAlerts.For(null, [], Queue(1601) with { Enabled = false }, Seed));
    }

    [Fact]
    public void System_thresholds_come_from_the_options()
    {
        var strict = new PerformanceOptions { MaxPoolUtilization = 0.1, MinCacheHitRate = 0.99, MinCacheLookups = 1, MaxQueueFill = 0 };

        var kinds = SystemAlerts.For(new PoolFigures(2, 10), [("Q", 9, 1)], Queue(1), strict).Select(a => a.Kind);

        Assert.Equal(["database-pool", "cache-hit-rate", "request-queue"], kinds);
    }

    private static QueueFigures Queue(int queued) => new(true, 100, queued, 100, 2000);
}
