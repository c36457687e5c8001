namespace Capacity.Application.AccessCodes;

/// <summary>Cache keys, tags and freshness of the access-code feature, named in one place.</summary>
public static class AccessCodeCache
{
    /// <summary>Code metadata freshness (seed: 30 s). Every change through the API invalidates it at once.</summary>
    public static readonly TimeSpan CodeDuration = TimeSpan.FromSeconds(30);

    public static string CodeKey(string normalizedCode) => $"access-code:{normalizedCode}";

    /// <summary>Carried by every cached entry that shows this code; named by commands that change it.</summary>
    public static string CodeTag(string normalizedCode) => $"code:{normalizedCode}";
}
