using System.ComponentModel.DataAnnotations;
using Capacity.Application.Common.Options;

namespace Capacity.Infrastructure.Coupons;

/// <summary>Section <c>Redemptions</c>: how redemptions of one coupon are coalesced into transactions.</summary>
public sealed class RedemptionOptions : ISectionOptions
{
    public static string SectionName => "Redemptions";

    /// <summary>How long a redemption may wait for its coupon before 503 <c>coupon-busy</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:02:00")]
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Redemptions per transaction, at most.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>The first backoff after a batch met another instance's lock on the coupon (doubles, with jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:05")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(10);

    [Range(1, 20)]
    public int LockAttempts { get; set; } = 3;

    [Range(1, 300)]
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>How long a reversal waits for its coupon's row before 503 <c>redemption-busy</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
