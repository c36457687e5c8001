namespace Capacity.Application.Coupons;

/// <summary>Cache keys, tags and freshness of coupon definitions, named in one place.</summary>
public static class CouponCache
{
    /// <summary>
    /// How long a coupon's definition (not its counts: those are always read from the database) is remembered. Every
    /// change through the API (create, deactivate) removes it by key on every instance (<see cref="ICouponDefinitions.ForgetAsync"/>).
    /// </summary>
    public static readonly TimeSpan DefinitionDuration = TimeSpan.FromMinutes(10);

    public static string DefinitionKey(string normalizedCode) => $"coupon:{normalizedCode}";
}
