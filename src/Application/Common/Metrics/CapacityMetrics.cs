using System.Diagnostics.Metrics;

namespace Capacity.Application.Common.Metrics;

/// <summary>
/// The one meter of Capacity and the instruments of the shared pipeline (exported on <c>/metrics</c>). A feature
/// keeps its own instruments beside its code (e.g. <c>Infrastructure/AccessCodes/ClaimMetrics.cs</c>), on this
/// meter, named <c>capacity.&lt;feature&gt;.&lt;thing&gt;</c> with the unit as the instrument's unit.
/// </summary>
public static class CapacityMetrics
{
    public const string MeterName = "Capacity";

    public static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary>Duration of each mediator request, tagged with <c>request</c> and <c>outcome</c>.</summary>
    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>(
        "capacity.request.duration",
        unit: "s",
        description: "Time to handle one request through the pipeline, by request type and outcome.",
        advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        });

    /// <summary>Requests being handled right now, tagged with <c>request</c>.</summary>
    public static readonly UpDownCounter<long> RequestsInFlight = Meter.CreateUpDownCounter<long>(
        "capacity.request.in_flight",
        description: "Requests being handled right now, by request type.");

    /// <summary>Cache lookups of cached queries, tagged with <c>request</c> and <c>result</c> (hit|miss).</summary>
    public static readonly Counter<long> CacheLookups = Meter.CreateCounter<long>(
        "capacity.cache.lookups",
        description: "Reads of cached queries, by request type and whether the handler had to run.");

    /// <summary>Circuit breaker transitions, tagged with <c>state</c>.</summary>
    public static readonly Counter<long> BreakerTransitions = Meter.CreateCounter<long>(
        "capacity.breaker.transitions",
        description: "Database circuit breaker state changes.");
}
