using System.Diagnostics.Metrics;
using Capacity.Application.Common.Metrics;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>Instruments of the claim statements (exported on <c>/metrics</c>).</summary>
internal static class ClaimMetrics
{
    /// <summary>Claims granted or refused by one claim transaction (hot codes batch many per commit).</summary>
    public static readonly Histogram<int> ClaimBatchSize = CapacityMetrics.Meter.CreateHistogram<int>(
        "capacity.claim.batch_size",
        unit: "{claim}",
        description: "Claims of one code answered together (one batch; batches of different codes may share a transaction).",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] });

    /// <summary>Codes whose claims shared one claim transaction (claims spread over many codes share commits).</summary>
    public static readonly Histogram<int> ClaimTransactionCodes = CapacityMetrics.Meter.CreateHistogram<int>(
        "capacity.claim.transaction_codes",
        unit: "{code}",
        description: "Codes whose claim batches one grouped claim transaction granted or refused (held rows not counted).",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000] });

    /// <summary>
    /// Claim statements PostgreSQL refused, tagged with <c>reason</c>: <c>row_locked</c> (another transaction
    /// held the code row, or a session row of a client reference: the usual collision with another instance, a
    /// release, a cleanup or a heartbeat; rows a grouped statement skips are not refusals), <c>unique_violation</c>
    /// (another instance opened a session for the same client reference), <c>check_violation</c> (the usage check
    /// constraint fired: the oversell guard; never expected), <c>conflict</c> (a deadlock or serialization
    /// failure). Each refused statement changed nothing and its claims retried.
    /// </summary>
    public static readonly Counter<long> StatementRefusals = CapacityMetrics.Meter.CreateCounter<long>(
        "capacity.claim.statement_refusals",
        unit: "{statement}",
        description: "Claim statements PostgreSQL refused (they changed nothing; their claims retried), by reason.");
}
