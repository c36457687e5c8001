namespace Capacity.Domain.AccessCodes;

/// <summary>A code that admits up to <see cref="MaxUsageCount"/> people at once.</summary>
public sealed class AccessCode
{
    public Guid Id { get; set; }

    /// <summary>Upper case; see <see cref="AccessCodeRules.Normalize"/>.</summary>
    public required string Code { get; set; }

    public AccessCodeType Type { get; set; }

    public bool IsActive { get; set; } = true;

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Seats held by open sessions. Changed only by the claim and release SQL.</summary>
    public int UsageCount { get; set; }

    public int MaxUsageCount { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } expiry && expiry <= now;
}
