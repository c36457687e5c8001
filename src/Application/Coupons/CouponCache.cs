namespace Capacity.Application.Coupons;

/// <summary>Cache keys, tags and freshness of coupon definitions, named in one place.</summary>
public static class CouponCache
{
    /// <summary>
    /// How long a coupon's definition (not its counts: those are always read from the database) is remembered. Every
    /// change through the API (create, deactivate) invalidates it on every instance with the durable delivery.
    /// </summary>
    public static readonly TimeSpan DefinitionDuration = TimeSpan.FromMinutes(10);

    public static string DefinitionKey(string normalizedCode) => $"coupon:{normalizedCode}";

    /// <summary>Carried by a coupon's cached definition (also when the coupon does not exist); named by the commands that change it.</summary>
    public static string CouponTag(string normalizedCode) => $"coupon:{normalizedCode}";
}
