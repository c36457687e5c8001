using Capacity.Application.AccessCodes;
using Capacity.Domain.Common;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>Runs one claim transaction for a batch of claims of one code.</summary>
internal interface IClaimBatchWriter
{
    /// <summary>
    /// One outcome per claim, in order (each claim is its client reference, or null); null when another
    /// transaction holds the code row, or when the batch was still waiting for a transaction at
    /// <paramref name="deadline"/> (the earliest deadline of its claims). Null means nothing changed: the caller
    /// backs off and retries, or answers its expired claims busy.
    /// </summary>
    Task<Result<SeatGrant>[]?> TryGrantAsync(
        string code, IReadOnlyList<string?> clientRefs, DateTimeOffset deadline, CancellationToken cancellationToken);
}
