using Capacity.Application.Common.Metrics;

namespace Capacity.Application.Performance;

/// <summary>Turns an operation's figures into alerts by the configured thresholds.</summary>
public static class PerformanceAlerts
{
    public static IEnumerable<Alert> For(string operation, WindowStats? stats, int inFlight, PerformanceOptions thresholds)
    {
        if (stats is not null && stats.AverageMs > thresholds.SlowAverageMs)
        {
            yield return new Alert(operation, "slow", $"Average {stats.AverageMs:0.#} ms is above {thresholds.SlowAverageMs:0.#} ms.", stats.AverageMs, thresholds.SlowAverageMs);
        }

        if (stats is not null && stats.SuccessRate < thresholds.MinSuccessRate)
        {
            yield return new Alert(operation, "failing", $"Success rate {stats.SuccessRate:P1} is below {thresholds.MinSuccessRate:P1}.", stats.SuccessRate, thresholds.MinSuccessRate);
        }

        if (inFlight > thresholds.MaxConcurrency)
        {
            yield return new Alert(operation, "concurrency", $"{inFlight} requests in flight, above {thresholds.MaxConcurrency}.", inFlight, thresholds.MaxConcurrency);
        }
    }
}

/// <param name="Kind">"slow", "failing" or "concurrency".</param>
public sealed record Alert(string Operation, string Kind, string Message, double Value, double Threshold);
