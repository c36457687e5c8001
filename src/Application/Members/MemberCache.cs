using System.Security.Cryptography;
using System.Text;
using Capacity.Application.Common.Messaging;

namespace Capacity.Application.Members;

/// <summary>
/// The member feature's cache keys, tags and durations (seed 002: member data 1 h). An id number never appears in a
/// key or a tag (they reach Redis and FusionCache's logs): lookups by id number are keyed by a SHA-256 digest of it.
/// A registration or an update writes the member into both lookups' entries (<see cref="IWritesThroughCache{TResponse}"/>):
/// right after a change, even with the database stopped, a lookup answers the change, never the member before it.
/// Cards are signed when read, so an update removes them by tag, delivered durably (FusionCache's RemoveByTag through
/// Redis and the backplane, re-sent after a Redis outage).
/// </summary>
public static class MemberCache
{
    public static readonly TimeSpan MemberDuration = TimeSpan.FromHours(1);

    /// <summary>Card data (seed: 30 min).</summary>
    public static readonly TimeSpan CardDuration = TimeSpan.FromMinutes(30);

    /// <summary>QR code images (seed: 4 h).</summary>
    public static readonly TimeSpan CardImageDuration = TimeSpan.FromHours(4);

    public const CacheTagDelivery TagDelivery = CacheTagDelivery.Durable;

    public static string MemberKey(Guid memberId) => $"member:{memberId:N}";

    /// <summary>The tag of a member's card and card image.</summary>
    public static string CardTag(Guid memberId) => $"card:{memberId:N}";

    public static string CardKey(Guid memberId) => $"card:{memberId:N}";

    public static string CardImageKey(Guid memberId) => $"card:png:{memberId:N}";

    public static string IdNumberKey(string normalizedIdNumber) => $"member:idn:{Digest(normalizedIdNumber)}";

    private static string Digest(string normalizedIdNumber) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalizedIdNumber)), 0, 16);
}
