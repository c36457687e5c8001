using Capacity.Application.Coupons;
using Capacity.Domain.Common;
using Capacity.Domain.Coupons;
using Capacity.Infrastructure.Common.Batching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Capacity.Infrastructure.Coupons;

/// <summary>
/// <see cref="ICouponLedger"/> whose redemptions of one coupon coalesce (the per-key batching claims use,
/// <see cref="KeyedBatcher{TItem,TResult}"/>): redemptions that arrive while a transaction of the coupon is in flight join
/// the next one, which locks the coupon's row NOWAIT and decides them all in order (<see cref="RedemptionDecision"/>:
/// the total and per-user limits and the order id hold inside the batch). A batch that meets another instance's lock
/// backs off and retries; a redemption still waiting at its deadline is 503 <c>coupon-busy</c>. A flash sale on one
/// coupon is therefore not bounded by one commit per redemption. Counts and reversals go straight to the ledger.
/// </summary>
internal sealed class CoalescingCouponLedger : ICouponLedger
{
    private readonly PostgresCouponLedger _ledger;
    private readonly TimeProvider _clock;
    private readonly KeyedBatcher<RedeemRequest, Item> _batcher;

    public CoalescingCouponLedger(
        PostgresCouponLedger ledger, IOptions<RedemptionOptions> options, TimeProvider clock, ILogger<CoalescingCouponLedger> logger)
    {
        _ledger = ledger;
        _clock = clock;
        var settings = options.Value;
        _batcher = new KeyedBatcher<RedeemRequest, Item>(
            "redemption",
            WriteAsync,
            code => new Item(RedeemOutcome.Refused(CouponErrors.Busy(code, settings.RetryAfterSeconds)), 0, code, CouponExists: true),
            new BatchingSettings(settings.Deadline, settings.MaxBatchSize, settings.InitialBackoff, settings.LockAttempts),
            clock,
            logger,
            batch => CouponMetrics.RedemptionBatchSize.Record(batch));
    }

    public Task<CouponCounts> CountsAsync(Guid couponId, string userId, string? orderId, CancellationToken cancellationToken) =>
        _ledger.CountsAsync(couponId, userId, orderId, cancellationToken);

    public Task<Result<Reversal>> ReverseAsync(Guid redemptionId, DateTimeOffset now, CancellationToken cancellationToken) =>
        _ledger.ReverseAsync(redemptionId, now, cancellationToken);

    /// <summary>Each request joins its coupon's queue; the answer holds its own outcome and the usage count after its transaction.</summary>
    public async Task<RedeemBatch?> RedeemAsync(string normalizedCode, IReadOnlyList<RedeemRequest> requests, CancellationToken cancellationToken)
    {
        var items = await Task.WhenAll(requests.Select(r => _batcher.EnqueueAsync(normalizedCode, r, cancellationToken)));
        if (!items[0].CouponExists)
        {
            return null;
        }

        return new RedeemBatch(items[0].Code, items.Select(i => i.Outcome).ToArray(), items.Max(i => i.UsageCount));
    }

    private async Task<Item[]?> WriteAsync(string code, IReadOnlyList<RedeemRequest> requests, DateTimeOffset deadline)
    {
        RedeemBatch? batch;
        bool collided;
        try
        {
            (batch, collided) = await _ledger.TryRedeemAsync(
                code, requests, deadline - _clock.GetUtcNow(), CancellationToken.None);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled)
        {
            // The batch's statement timeout (its earliest deadline): nothing was written; the batcher answers busy.
            return null;
        }

        if (collided)
        {
            return null;
        }

        return batch is null
            ? requests.Select(_ => new Item(RedeemOutcome.Refused(CouponErrors.NotFound(code)), 0, code, CouponExists: false)).ToArray()
            : batch.Outcomes.Select(o => new Item(o, batch.UsageCount, batch.Code, CouponExists: true)).ToArray();
    }

    private sealed record Item(RedeemOutcome Outcome, int UsageCount, string Code, bool CouponExists);
}
