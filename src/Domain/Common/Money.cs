namespace Capacity.Domain.Common;

/// <summary>
/// Amounts of money, for every feature: a <c>decimal</c> with 2 places in JSON and <c>numeric(12,2)</c> in PostgreSQL,
/// in the order's own currency (no conversion).
/// </summary>
public static class Money
{
    /// <summary>Largest amount numeric(12,2) holds.</summary>
    public const decimal MaxAmount = 9_999_999_999.99m;

    /// <summary>Rounded half away from zero to exactly 2 places (as PostgreSQL's round does; so JSON shows 10.00, not 10).</summary>
    public static decimal Round(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero) + 0.00m;
}
