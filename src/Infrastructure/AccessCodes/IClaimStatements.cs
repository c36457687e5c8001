using Capacity.Application.AccessCodes;
using Capacity.Domain.Common;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>The claim statements themselves (<see cref="ClaimStatements"/>): one code per transaction, or several codes in one.</summary>
internal interface IClaimStatements
{
    /// <summary>
    /// ONE transaction for a batch of claims of one code (each claim is its client reference, or null): one
    /// outcome per claim, in order; null when PostgreSQL refused the statement (another transaction holds the
    /// code row, or a unique or check violation): nothing changed, the caller backs off and retries.
    /// </summary>
    Task<Result<SeatGrant>[]?> TryGrantAsync(
        string code, IReadOnlyList<string?> clientRefs, DateTimeOffset deadline, CancellationToken cancellationToken);

    /// <summary>
    /// ONE transaction for the claims of several codes (none with a client reference, each code once): every
    /// code row it can lock without waiting is locked, granted and counted as <see cref="TryGrantAsync"/> would;
    /// a code whose row another transaction holds is left alone. One entry per part, in order: its claims'
    /// outcomes, or null when its row was held (nothing changed for it: its caller backs off and retries).
    /// </summary>
    Task<Result<SeatGrant>[]?[]> TryGrantGroupAsync(IReadOnlyList<CodeClaims> parts, CancellationToken cancellationToken);
}
