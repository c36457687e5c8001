using Capacity.Application.Common.Metrics;

namespace Capacity.UnitTests.Performance;

public sealed class OperationWindowTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Percentiles_are_nearest_rank_over_the_samples_in_the_window()
    {
        var window = new OperationWindow(capacity: 1000);
        for (var ms = 1; ms <= 100; ms++)
        {
            window.Started();
            window.Finished(Now, TimeSpan.FromMilliseconds(ms), success: ms <= 90);
        }

        var stats = window.Snapshot(Now.AddMinutes(-5))!;

        Assert.Equal(100, stats.Count);
        Assert.Equal(50, stats.P50Ms, 6);
        Assert.Equal(95, stats.P95Ms, 6);
        Assert.Equal(99, stats.P99Ms, 6);
        Assert.Equal(100, stats.MaxMs, 6);
        Assert.Equal(50.5, stats.AverageMs, 6);
        Assert.Equal(0.9, stats.SuccessRate, 6);
        Assert.Equal(0, window.InFlight);
    }

    [Fact]
    public void Samples_older_than_the_window_are_left_out()
    {
        var window = new OperationWindow(capacity: 1000);
        window.Finished(Now.AddMinutes(-10), TimeSpan.FromSeconds(30), success: false);
        window.Finished(Now.AddMinutes(-1), TimeSpan.FromMilliseconds(4), success: true);

        var stats = window.Snapshot(Now.AddMinutes(-5))!;

        Assert.Equal(1, stats.Count);
        Assert.Equal(4, stats.MaxMs, 6);
        Assert.Equal(1, stats.SuccessRate, 6);
        Assert.Null(window.Snapshot(Now));
    }

    [Fact]
    public void The_ring_keeps_only_the_most_recent_samples()
    {
        var window = new OperationWindow(capacity: 10);
        for (var ms = 1; ms <= 25; ms++)
        {
            window.Finished(Now, TimeSpan.FromMilliseconds(ms), success: true);
        }

        var stats = window.Snapshot(Now.AddMinutes(-1))!;

        Assert.Equal(10, stats.Count);
        Assert.Equal(20, stats.P50Ms, 6);
        Assert.Equal(25, stats.MaxMs, 6);
    }

    [Fact]
    public void In_flight_counts_started_but_unfinished_operations()
    {
        var window = new OperationWindow(capacity: 10);
        window.Started();
        window.Started();
        window.Started();
        window.Finished(Now, TimeSpan.FromMilliseconds(1), success: true);

        Assert.Equal(2, window.InFlight);
    }
}
