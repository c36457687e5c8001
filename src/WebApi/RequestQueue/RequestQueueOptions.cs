using System.ComponentModel.DataAnnotations;
using Capacity.Application.Common.Options;

namespace Capacity.WebApi.RequestQueue;

/// <summary>
/// Section <c>RequestQueue</c> (seed 002: 100 at once, 2,000 waiting, 30 s): how many API requests run at once, how
/// many wait for a turn in arrival order, and for how long. Beyond the queue or past the wait the answer is 503
/// <c>server-busy</c> with Retry-After, and nothing behind the limit runs for it.
/// </summary>
public sealed class RequestQueueOptions : ISectionOptions
{
    public static string SectionName => "RequestQueue";

    /// <summary>False: no queue (every request runs at once).</summary>
    public bool Enabled { get; set; } = true;

    [Range(1, 100_000)]
    public int MaxConcurrent { get; set; } = 100;

    [Range(0, 1_000_000)]
    public int MaxQueued { get; set; } = 2_000;

    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The Retry-After of a server-busy answer.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 1;
}
