using System.ComponentModel.DataAnnotations;
using Capacity.Application.Common.Options;

namespace Capacity.Application.Common.Resilience;

/// <summary>
/// The database circuit breaker (section <c>CircuitBreaker</c>). Polly's breaker is ratio based: it opens
/// when, within <see cref="SamplingDuration"/>, at least <see cref="MinimumThroughput"/> calls were made
/// and <see cref="FailureRatio"/> of them failed because the database was unavailable. The defaults
/// give the seed's "10 failures, 60 s break" when the database is down.
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
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    [Range(typeof(TimeSpan), "00:00:00.500", "1.00:00:00")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(60);
}
