using System.ComponentModel.DataAnnotations;
using Capacity.Application.Common.Options;

namespace Capacity.Application.Common.Resilience;

/// <summary>
/// The database circuit breaker (section <c>CircuitBreaker</c>). Polly's breaker is ratio based: it opens
/// when, within <see cref="SamplingDuration"/>, at least <see cref="MinimumThroughput"/> calls were made
/// and <see cref="FailureRatio"/> of them failed because the database was unavailable. The defaults
/// give the seed's "10 failures, 60 s break" when the database is down. The window is short on purpose: the successes
/// before an outage count in it, and with 30 s the breaker stayed closed 15 s at 1,000 uncached reads/s (build/bench's
/// members outage), each of them waiting on a failing connection meanwhile.
/// </summary>
public sealed class CircuitBreakerOptions : ISectionOptions
{
    public const string Section = "CircuitBreaker";

    static string ISectionOptions.SectionName => Section;

    [Range(0.01, 1.0)]
    public double FailureRatio { get; set; } = 0.5;

    [Range(2, 10_000)]
    public int MinimumThroughput { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(60);
}
