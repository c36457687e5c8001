using System.Diagnostics.Metrics;

namespace Capacity.Application.Common.Metrics;

/// <summary>The one meter of Capacity and its instruments (exported on <c>/metrics</c>).</summary>
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

    /// <summary>Claims granted or refused by one claim transaction (hot codes batch many per commit).</summary>
    public static readonly Histogram<int> ClaimBatchSize = Meter.CreateHistogram<int>(
        "capacity.claim.batch_size",
        unit: "{claim}",
        description: "Claims of one code answered together (one batch; batches of different codes may share a transaction).",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] });

    /// <summary>Codes whose claims shared one claim transaction (claims spread over many codes share commits).</summary>
    public static readonly Histogram<int> ClaimTransactionCodes = Meter.CreateHistogram<int>(
        "capacity.claim.transaction_codes",
        unit: "{code}",
        description: "Codes whose claim batches one grouped claim transaction granted or refused (held rows not counted).",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000] });

    /// <summary>Circuit breaker transitions, tagged with <c>state</c>.</summary>
    public static readonly Counter<long> BreakerTransitions = Meter.CreateCounter<long>(
        "capacity.breaker.transitions",
        description: "Database circuit breaker state changes.");
}
