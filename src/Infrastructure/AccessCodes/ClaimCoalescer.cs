using Capacity.Application.AccessCodes;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Infrastructure.Common.Batching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>
/// Coalesces the claims of one code on this instance: the shared per-key batching (<see cref="KeyedBatcher{TItem,TResult}"/>)
/// over one claim transaction per batch (<see cref="ClaimStatements"/>; batches of different codes may share a commit, see
/// <see cref="GroupedClaimWriter"/>). So throughput on a hot code is not bounded by one commit per seat, claims of one
/// code never race each other for the row lock, and NOWAIT + backoff only meets other instances; a claim is answered
/// busy only when its own deadline passes.
/// </summary>
internal sealed class ClaimCoalescer
{
    private readonly KeyedBatcher<string?, Result<SeatGrant>> _batcher;

    public ClaimCoalescer(IClaimBatchWriter writer, IOptions<ClaimOptions> options, TimeProvider clock, ILogger<ClaimCoalescer> logger)
    {
        var settings = options.Value;
        _batcher = new KeyedBatcher<string?, Result<SeatGrant>>(
            "claim",
            (code, clientRefs, deadline) => writer.TryGrantAsync(code, clientRefs, deadline, CancellationToken.None),
            code => AccessCodeErrors.Busy(code, settings.RetryAfterSeconds),
            new BatchingSettings(settings.Deadline, settings.MaxBatchSize, settings.InitialBackoff, settings.LockAttempts),
            clock,
            logger,
            batch => ClaimMetrics.ClaimBatchSize.Record(batch));
    }

    /// <summary>Codes with claims waiting or in flight right now.</summary>
    public int ActiveCodes => _batcher.ActiveKeys;

    public Task<Result<SeatGrant>> ClaimAsync(string code, string? clientRef, CancellationToken cancellationToken) =>
        _batcher.EnqueueAsync(code, clientRef, cancellationToken);
}
