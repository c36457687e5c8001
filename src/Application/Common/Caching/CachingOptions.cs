using System.ComponentModel.DataAnnotations;
using Capacity.Application.Common.Options;

namespace Capacity.Application.Common.Caching;

/// <summary>
/// FusionCache defaults for every cached query and tag invalidation (section <c>Caching</c>). In Application
/// because the caching behavior and <see cref="TagInvalidator"/> apply them; Infrastructure builds the cache with them.
/// </summary>
public sealed class CachingOptions : ISectionOptions
{
    public const string Section = "Caching";

    static string ISectionOptions.SectionName => Section;

    /// <summary>
    /// Prefix of every key in the distributed cache (L2), of the backplane channel and of the tag-invalidation
    /// channel, so that deployments (and test hosts) sharing one Redis never see each other's entries or messages.
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

    /// <summary>
    /// How long an instance remembers that a tag was invalidated (a timestamp in its memory cache). A tagged query
    /// may be cached at most this long: an entry written before an invalidation must not look fresh again once the
    /// invalidation is forgotten, so the caching behavior refuses a longer one. The default covers the longest
    /// duration the features ask for (QR codes, 4 h) with margin; each remembered tag costs one small memory entry.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan TagMemoryDuration { get; set; } = TimeSpan.FromHours(6);

    /// <summary>The path of <see cref="TagMemoryDuration"/> in configuration, for messages.</summary>
    public const string TagMemoryDurationSetting = Section + ":" + nameof(TagMemoryDuration);
}
