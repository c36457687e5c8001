namespace Capacity.Application.AccessCodes;

/// <summary>Cache keys, tags and freshness of the access-code feature, named in one place.</summary>
public static class AccessCodeCache
{
    /// <summary>Code metadata freshness (seed: 30 s). Every change through the API invalidates it at once.</summary>
    public static readonly TimeSpan DetailsDuration = TimeSpan.FromSeconds(30);

    /// <summary>Usage freshness (seed: 5 s): bounds how old a usage count can be when a change was not seen.</summary>
    public static readonly TimeSpan UsageDuration = TimeSpan.FromSeconds(5);

    public static string DetailsKey(string normalizedCode) => $"access-code:{normalizedCode}";

    public static string UsageKey(string normalizedCode) => $"access-code-usage:{normalizedCode}";

    /// <summary>Carried by every cached entry that shows this code; named by commands that change it.</summary>
    public static string CodeTag(string normalizedCode) => $"code:{normalizedCode}";
}
