namespace Capacity.Application.Common.Metrics;

/// <summary>
/// The recent samples of one operation in a fixed-size ring: memory stays bounded however long the process
/// runs, and percentiles are computed over the samples still inside the asked window.
/// </summary>
public sealed class OperationWindow(int capacity)
{
    private readonly Sample[] _samples = new Sample[capacity];
    private readonly Lock _sync = new();
    private long _written;
    private int _inFlight;

    public int InFlight => Volatile.Read(ref _inFlight);

    public void Started() => Interlocked.Increment(ref _inFlight);

    public void Finished(DateTimeOffset at, TimeSpan duration, bool success)
    {
        Interlocked.Decrement(ref _inFlight);
        lock (_sync)
        {
            _samples[_written % _samples.Length] = new Sample(at.UtcTicks, duration.TotalMilliseconds, success);
            _written++;
        }
    }

    /// <summary>Statistics of the samples recorded at or after <paramref name="since"/> (null when none).</summary>
    public WindowStats? Snapshot(DateTimeOffset since)
    {
        Sample[] recent;
        lock (_sync)
        {
            var count = (int)Math.Min(_written, _samples.Length);
            recent = new Sample[count];
            for (var i = 0; i < count; i++)
            {
                recent[i] = _samples[(_written - 1 - i) % _samples.Length];
            }
        }

        var inWindow = recent.Where(s => s.AtTicks >= since.UtcTicks).ToArray();
        if (inWindow.Length == 0)
        {
            return null;
        }

        var durations = inWindow.Select(s => s.Milliseconds).Order().ToArray();
        return new WindowStats(
            inWindow.Length,
            inWindow.Count(s => s.Success) / (double)inWindow.Length,
            durations.Average(),
            Percentile(durations, 0.50),
            Percentile(durations, 0.95),
            Percentile(durations, 0.99),
            durations[^1]);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    public static double Percentile(double[] sorted, double quantile)
    {
        var rank = (int)Math.Ceiling(quantile * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private readonly record struct Sample(long AtTicks, double Milliseconds, bool Success);
}

/// <summary>What one operation did within a window.</summary>
public sealed record WindowStats(
    int Count, double SuccessRate, double AverageMs, double P50Ms, double P95Ms, double P99Ms, double MaxMs);
