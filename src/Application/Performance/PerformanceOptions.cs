using System.ComponentModel.DataAnnotations;
using Capacity.Application.Common.Options;

namespace Capacity.Application.Performance;

/// <summary>The performance API's window and alert thresholds (section <c>Performance</c>; seed defaults).</summary>
public sealed class PerformanceOptions : ISectionOptions
{
    public const string Section = "Performance";

    static string ISectionOptions.SectionName => Section;

    /// <summary>How far back the figures look.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Alert when an operation's average duration is above this (seed: 1 s).</summary>
    [Range(1, 600_000)]
    public double SlowAverageMs { get; set; } = 1000;

    /// <summary>Alert when an operation's success rate is below this (seed: 95 %).</summary>
    [Range(0.0, 1.0)]
    public double MinSuccessRate { get; set; } = 0.95;

    /// <summary>Alert when more requests of one operation than this are in flight (seed: 50).</summary>
    [Range(1, 1_000_000)]
    public int MaxConcurrency { get; set; } = 50;
}
