using Capacity.Domain.Common;

namespace Capacity.Domain.AccessCodes;

/// <summary>Every expected failure of the access-code feature.</summary>
public static class AccessCodeErrors
{
    public static Error NotFound(string code) =>
        new("access-code-not-found", $"Access code '{code}' does not exist.", ErrorKind.NotFound);

    public static Error AlreadyExists(string code) =>
        new("access-code-exists", $"Access code '{code}' already exists.", ErrorKind.Conflict);

    public static Error Full(string code, int maxUsageCount) =>
        new("access-code-full", $"Access code '{code}' has no free seat (all {maxUsageCount} are in use).", ErrorKind.Conflict);

    public static Error Expired(string code) =>
        new("access-code-expired", $"Access code '{code}' has expired.", ErrorKind.Gone);

    public static Error Inactive(string code) =>
        new("access-code-inactive", $"Access code '{code}' is not active.", ErrorKind.Gone);

    public static Error Busy(string code, int retryAfterSeconds) =>
        new("access-code-busy", $"Access code '{code}' is too busy right now; retry shortly.", ErrorKind.Busy)
        {
            RetryAfterSeconds = retryAfterSeconds,
        };

    public static Error SessionNotFound(Guid sessionId) =>
        new("session-not-found", $"Session '{sessionId}' does not exist.", ErrorKind.NotFound);

    public static Error SessionEnded(Guid sessionId) =>
        new("session-ended", $"Session '{sessionId}' has already ended.", ErrorKind.Gone);
}
