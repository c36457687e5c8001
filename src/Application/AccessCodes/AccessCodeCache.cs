using Capacity.Application.Common.Messaging;

namespace Capacity.Application.AccessCodes;

/// <summary>Cache keys, tags and freshness of the access-code feature, named in one place.</summary>
public static class AccessCodeCache
{
    /// <summary>
    /// Usage freshness (seed: 5 s): bounds how old a usage count can be when a change was not seen (another
    /// instance without Redis, or a write outside the API). Changes through the API invalidate at once.
    /// </summary>
    public static readonly TimeSpan UsageDuration = TimeSpan.FromSeconds(5);

    public static string CodeKey(string normalizedCode) => $"access-code:{normalizedCode}";

    /// <summary>Carried by every cached entry that shows this code; named by commands that change it.</summary>
    public static string CodeTag(string normalizedCode) => $"code:{normalizedCode}";

    /// <summary>
    /// How every command that names <see cref="CodeTag"/> invalidates it: batched, because claims and releases change a
    /// code thousands of times a second while its entries live 5 s (decision 007: FusionCache's own RemoveByTag
    /// would cost three Redis commands per claim, the broadcast about one per hundred claims).
    /// </summary>
    public const CacheTagDelivery CodeTagDelivery = CacheTagDelivery.Batched;
}
