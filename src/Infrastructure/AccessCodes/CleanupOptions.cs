using System.ComponentModel.DataAnnotations;
using Capacity.Application.Common.Options;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>The periodic idle-session cleanup (section <c>Cleanup</c>).</summary>
public sealed class CleanupOptions : ISectionOptions
{
    public const string Section = "Cleanup";

    static string ISectionOptions.SectionName => Section;

    public bool Enabled { get; set; } = true;

    /// <summary>How often idle sessions are ended (seed: 60 s).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Sessions without activity for this many minutes are ended.</summary>
    [Range(1, 10_080)]
    public int IdleMinutes { get; set; } = 30;
}
