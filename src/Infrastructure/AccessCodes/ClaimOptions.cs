using System.ComponentModel.DataAnnotations;
using Capacity.Application.Common.Options;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>
/// How claims wait for their code (section <c>Claims</c>). Within one instance, claims of a code queue in
/// memory and are granted in batches; the row lock (NOWAIT + backoff) only arbitrates between instances.
/// </summary>
public sealed class ClaimOptions : ISectionOptions
{
    public const string Section = "Claims";

    static string ISectionOptions.SectionName => Section;

    /// <summary>
    /// Consecutive refused claim statements (another transaction held the code row: another instance, a release
    /// or a cleanup; or PostgreSQL refused the statement otherwise) over which the backoff doubles; after that it
    /// stays at its cap. Claims keep retrying until their <see cref="Deadline"/>.
    /// </summary>
    [Range(1, 20)]
    public int LockAttempts { get; set; } = 3;

    /// <summary>Most claims one transaction grants; more waiting claims go in the next one.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>
    /// Most codes one claim transaction may grant seats of. Above 1, the batches of different codes that are
    /// ready while the claim transactions in flight run share the next transaction and its commit (claims
    /// without a client reference only). 1 keeps every claim transaction on the rows of one code: set it so
    /// when the tables are distributed by code (Citus), where a transaction over several codes would span
    /// shards.
    /// </summary>
    [Range(1, 1000)]
    public int MaxCodesPerTransaction { get; set; } = 64;

    /// <summary>
    /// Claim transactions over several codes that may run at once on this instance (each holds one pooled
    /// connection while it runs). Batches that are ready while all of them run wait and join the next one.
    /// </summary>
    [Range(1, 256)]
    public int GroupedTransactions { get; set; } = 4;

    /// <summary>First backoff after a lock collision; doubled each attempt, each wait drawn between half and all of it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:05")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>How long a claim may wait for its code before it is answered 503 (busy).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:02:00")]
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The Retry-After a busy answer carries.</summary>
    [Range(1, 300)]
    public int RetryAfterSeconds { get; set; } = 1;
}
