namespace Capacity.Domain.Coupons;

/// <summary>
/// One validation attempt (seed 003, task 2): what was asked, what was answered, by whom and how fast. The id makes
/// writing it idempotent: a row replayed from the journal after a crash is stored once.
/// </summary>
public sealed record ValidationLogEntry(
    Guid Id,
    string CouponCode,
    string UserId,
    string? OrderId,
    decimal OrderValue,
    bool IsValid,
    string? Reason,
    decimal DiscountApplied,
    decimal FinalAmount,
    string? IpAddress,
    string? UserAgent,
    double ResponseTimeMs,
    DateTimeOffset ValidatedAt,
    Guid? CouponId)
{
    /// <summary>User agents are cut to this length: the log keeps what identifies a client, not a whole header.</summary>
    public const int UserAgentMaxLength = 256;
}
