using System.Diagnostics.Metrics;
using Capacity.Application.Common.Metrics;

namespace Capacity.Infrastructure.Coupons.ValidationLogs;

/// <summary>The validation log's instruments (on <see cref="CapacityMetrics.Meter"/>).</summary>
internal static class ValidationLogMetrics
{
    public static readonly Counter<long> RowsWritten = CapacityMetrics.Meter.CreateCounter<long>(
        "capacity.validation_log.rows_written", description: "Validation log rows stored in PostgreSQL (replays of stored rows not counted twice).");

    public static readonly Counter<long> RowsDropped = CapacityMetrics.Meter.CreateCounter<long>(
        "capacity.validation_log.rows_dropped", description: "Validation log rows dropped because the journal was at its disk cap.");

    public static readonly Histogram<double> FlushDuration = CapacityMetrics.Meter.CreateHistogram<double>(
        "capacity.validation_log.flush.duration", unit: "s", description: "Time to store one batch of validation log rows.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    public static readonly Counter<long> FlushFailures = CapacityMetrics.Meter.CreateCounter<long>(
        "capacity.validation_log.flush.failures", description: "Batches the database refused or did not answer (retried with backoff).");
}
