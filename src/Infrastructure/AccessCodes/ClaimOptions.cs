using System.ComponentModel.DataAnnotations;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>
/// How a claim waits for its code's row lock (section <c>Claims</c>). Within one instance, claims of a code
/// queue in memory; the row lock (NOWAIT + backoff) only arbitrates between instances.
/// </summary>
public sealed class ClaimOptions
{
    public const string Section = "Claims";

    /// <summary>NOWAIT attempts per turn at the lock before the claim lets the next queued claim try.</summary>
    [Range(1, 20)]
    public int LockAttempts { get; set; } = 3;

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
