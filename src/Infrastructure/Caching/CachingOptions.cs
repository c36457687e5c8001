using System.ComponentModel.DataAnnotations;
using Capacity.Application.Common.Options;

namespace Capacity.Infrastructure.Caching;

/// <summary>FusionCache defaults for every cached query (section <c>Caching</c>).</summary>
public sealed class CachingOptions : ISectionOptions
{
    public const string Section = "Caching";

    static string ISectionOptions.SectionName => Section;

    /// <summary>
    /// Prefix of every cache key in Redis and of the backplane channel, so that deployments (and test hosts)
    /// sharing one Redis never see each other's entries or messages.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_.:-]{1,64}$")]
    public string KeyPrefix { get; set; } = "capacity";

    /// <summary>How long a stale value may be served while the database cannot answer.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan FailSafeMaxDuration { get; set; } = TimeSpan.FromHours(2);

    /// <summary>After a failed refresh, how long the stale value is reused before the database is asked again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan FailSafeThrottleDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>When a stale value exists, how long a refresh may take before the stale value is answered.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan FactorySoftTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest a refresh may take even with nothing stale to fall back on.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan FactoryHardTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
