using Capacity.Domain.Common;

namespace Capacity.Application.AccessCodes;

/// <summary>
/// Seats of access codes: the only place that changes <c>usage_count</c>. Every grant is decided by the
/// database under the code's row lock, so no interleaving and no number of API instances oversells.
/// </summary>
public interface ISeatLedger
{
    /// <summary>
    /// Claims one seat of <paramref name="code"/> and opens a session, or returns the open session that
    /// <paramref name="clientRef"/> already holds on that code. Errors: not found, expired, inactive,
    /// full, or busy (the code's lock could not be had before the claim's deadline).
    /// </summary>
    Task<Result<SeatGrant>> ClaimAsync(string code, string? clientRef, CancellationToken cancellationToken);

    /// <summary>Ends the session and frees its seat once; ending an ended session frees nothing.</summary>
    Task<Result<SeatRelease>> ReleaseAsync(Guid sessionId, CancellationToken cancellationToken);

    /// <summary>Records activity on an open session; returns the new last-activity time.</summary>
    Task<Result<DateTimeOffset>> TouchAsync(Guid sessionId, CancellationToken cancellationToken);

    /// <summary>
    /// Ends every open session whose last activity is older than <paramref name="idleSince"/> and frees their
    /// seats, in one set-based statement; one entry per code that had such sessions.
    /// </summary>
    Task<IReadOnlyList<IdleRelease>> EndIdleSessionsAsync(DateTimeOffset idleSince, CancellationToken cancellationToken);
}

/// <summary>What idle cleanup did to one code.</summary>
public sealed record IdleRelease(string Code, int SessionsEnded, int SeatsReleased);

/// <summary>A claimed seat. <paramref name="Resumed"/> is true when an open session of the same client reference was returned.</summary>
public sealed record SeatGrant(Guid SessionId, string Code, int UsageCount, int MaxUsageCount, bool Resumed);

/// <summary>The outcome of ending a session: <paramref name="Released"/> is false when it had already ended.</summary>
public sealed record SeatRelease(bool Released, string Code, int UsageCount);
