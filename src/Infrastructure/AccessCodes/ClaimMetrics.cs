using System.Diagnostics.Metrics;
using Capacity.Application.Common.Metrics;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>Instruments of the claim statements (exported on <c>/metrics</c>).</summary>
internal static class ClaimMetrics
{
    /// <summary>
    /// Claim statements PostgreSQL refused, tagged with <c>reason</c>: <c>row_locked</c> (another transaction
    /// held the code row: the usual collision between instances, releases and cleanups), <c>unique_violation</c>
    /// (another instance opened a session for the same client reference), <c>check_violation</c> (the usage check
    /// constraint fired: the oversell guard; never expected), <c>conflict</c> (a deadlock or serialization
    /// failure). Each refused statement changed nothing and its claims retried.
    /// </summary>
    public static readonly Counter<long> StatementRefusals = CapacityMetrics.Meter.CreateCounter<long>(
        "capacity.claim.statement_refusals",
        unit: "{statement}",
        description: "Claim statements PostgreSQL refused (they changed nothing; their claims retried), by reason.");
}
