using Capacity.Domain.AccessCodes;

namespace Capacity.Application.AccessCodes;

/// <summary>An access code as the API shows it.</summary>
public sealed record AccessCodeResponse(
    Guid Id,
    string Code,
    string Type,
    bool IsActive,
    DateTimeOffset? ExpiresAt,
    int UsageCount,
    int MaxUsageCount)
{
    public static AccessCodeResponse From(AccessCode code) => new(
        code.Id,
        code.Code,
        code.Type == AccessCodeType.Single ? "single" : "bulk",
        code.IsActive,
        code.ExpiresAt,
        code.UsageCount,
        code.MaxUsageCount);
}
