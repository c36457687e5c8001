namespace Capacity.Domain.Clients;

/// <summary>
/// Every scope a client may hold, each named once. A route declares the one it needs (in its module); a key
/// without it gets 403 <c>scope-missing</c>. The configured bootstrap admin key holds all of them.
/// </summary>
public static class ClientScopes
{
    /// <summary>Everything under <c>/api/admin</c>: clients, access codes, sessions, performance.</summary>
    public const string Admin = "admin";

    /// <summary>Code login, heartbeat, end session, reading a code. Also callable without a key (the access code is the end user's credential).</summary>
    public const string CodesClaim = "codes:claim";

    /// <summary>Coupon validation, redemption and reversal.</summary>
    public const string Coupons = "coupons";

    /// <summary>Member lookups and cards.</summary>
    public const string MembersRead = "members:read";

    /// <summary>Consuming inventory.</summary>
    public const string Inventory = "inventory";

    /// <summary>Room bookings.</summary>
    public const string Bookings = "bookings";

    /// <summary>The catalogue, in the order responses list scopes.</summary>
    public static readonly IReadOnlyList<string> All = [Admin, Bookings, CodesClaim, Coupons, Inventory, MembersRead];

    public static bool IsKnown(string? scope) => scope is not null && All.Contains(scope, StringComparer.Ordinal);

    /// <summary>The scopes given, distinct and in catalogue order (the stored form).</summary>
    public static string[] Canonical(IEnumerable<string> scopes)
    {
        var given = scopes.ToHashSet(StringComparer.Ordinal);
        return All.Where(given.Contains).ToArray();
    }
}
