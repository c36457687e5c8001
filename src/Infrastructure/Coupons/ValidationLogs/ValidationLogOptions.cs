using System.ComponentModel.DataAnnotations;
using Capacity.Application.Common.Options;

namespace Capacity.Infrastructure.Coupons.ValidationLogs;

/// <summary>Section <c>ValidationLog</c>: how validation log rows reach PostgreSQL, and the local journal that keeps them until they do.</summary>
public sealed class ValidationLogOptions : ISectionOptions
{
    public static string SectionName => "ValidationLog";

    /// <summary>
    /// False: validations are answered without a log row (no journal, no writer, nothing in <c>validation_logs</c>; the
    /// coupon statistics then see no validations). For deployments that do not want the log, and to measure its cost.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Write queued rows at least this often (seed: 5 s).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Write as soon as this many rows are queued (seed: 100).</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// Rows one COPY carries at most. A write starts at <see cref="BatchSize"/> rows (or <see cref="FlushInterval"/>) and
    /// takes every row queued by then, up to this: under load, and when catching up after an outage, a few large
    /// COPYs instead of one commit per 100 rows.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxRowsPerWrite { get; set; } = 10_000;

    /// <summary>
    /// This instance's journal directory (each instance needs its own; a second process on the same directory
    /// refuses to start). Relative paths are under the content root.
    /// </summary>
    [Required]
    public string JournalDirectory { get; set; } = ".data/validation-journal";

    /// <summary>The journal is fsync'd in groups at most this often: what a machine crash or kill -9 can lose.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan JournalSyncInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The journal's disk cap: past it new rows are dropped (counted; the request never fails) and /health says degraded.</summary>
    [Range(1L << 20, 1L << 40)]
    public long JournalMaxBytes { get; set; } = 1L << 30;

    /// <summary>A journal segment is closed (and deleted once its rows are stored) at this size or <see cref="SegmentMaxAge"/>.</summary>
    [Range(4096, 1L << 30)]
    public long SegmentBytes { get; set; } = 4L << 20;

    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan SegmentMaxAge { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Rows held in memory for the writer; beyond it a row is only in the journal, and the writer reads it back from
    /// there (memory stays bounded through a long database outage).
    /// </summary>
    [Range(1, 10_000_000)]
    public int QueueCapacity { get; set; } = 100_000;
}
