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
    public double MinSuccessRate { get; set; } = 0.99;

    /// <summary>Alert when more requests of one operation than this are in flight (seed: 50).</summary>
    [Range(1, 1_000_000)]
    public int MaxConcurrency { get; set; } = 50;

    /// <summary>Alert when more than this share of the database pool is in use (seed 002: 80 %).</summary>
    [Range(0.0, 1.0)]
    public double MaxPoolUtilization { get; set; } = 0.8;

    /// <summary>Alert when a cached query's hit rate is below this (seed 002: 70 %) ...</summary>
    [Range(0.0, 1.0)]
    public double MinCacheHitRate { get; set; } = 0.7;

    /// <summary>... once it has had at least this many lookups (a cold cache is not an alert).</summary>
    [Range(1, 1_000_000_000)]
    public int MinCacheLookups { get; set; } = 100;

    /// <summary>Alert when the request queue's waiting room is fuller than this (seed 002: 80 %).</summary>
    [Range(0.0, 1.0)]
    public double MaxQueueFill { get; set; } = 0.8;
}
