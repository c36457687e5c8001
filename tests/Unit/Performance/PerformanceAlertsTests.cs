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
        Assert.Empty(PerformanceAlerts.For("Op", Stats(averageMs: 1000, successRate: 0.95), inFlight: 50, Seed));
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
    public void Failing_alert_when_success_rate_is_below_95_percent()
    {
        var alert = Assert.Single(PerformanceAlerts.For("Op", Stats(successRate: 0.949), inFlight: 0, Seed));

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
}
