using Capacity.Domain.Common;

namespace Capacity.Domain.Coupons;

/// <summary>One redemption asked for: which user, which order, what the order is worth.</summary>
public sealed record RedeemRequest(string UserId, string OrderId, decimal OrderValue);

/// <summary>What a redemption request got: a new redemption, the one that already stood for it, or an error.</summary>
public sealed record RedeemOutcome(Redemption? Redemption, bool Created, Error? Error)
{
    public static RedeemOutcome New(Redemption redemption) => new(redemption, true, null);

    public static RedeemOutcome Existing(Redemption redemption) => new(redemption, false, null);

    public static RedeemOutcome Refused(Error error) => new(null, false, error);
}

/// <summary>
/// Decides redemptions of ONE coupon in arrival order against the state read under the coupon's row lock: the
/// coupon row, how many standing redemptions each user in the batch has, and the standing redemption of each order
/// in the batch. Pure, so a transaction of one request and a coalesced batch of many decide alike, and the per-user
/// limit and the order id hold inside a batch (each grant counts for the requests after it).
/// </summary>
public static class RedemptionDecision
{
    public static RedeemOutcome[] Decide(
        Coupon locked,
        IReadOnlyDictionary<string, int> standingByUser,
        IReadOnlyDictionary<string, Redemption> standingByOrder,
        IReadOnlyList<RedeemRequest> requests,
        DateTimeOffset now)
    {
        var byUser = new Dictionary<string, int>(standingByUser, StringComparer.Ordinal);
        var byOrder = new Dictionary<string, Redemption>(standingByOrder, StringComparer.Ordinal);
        var usage = locked.UsageCount;
        var outcomes = new RedeemOutcome[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i];
            if (byOrder.TryGetValue(request.OrderId, out var standing))
            {
                outcomes[i] = !string.Equals(standing.UserId, request.UserId, StringComparison.Ordinal)
                    ? RedeemOutcome.Refused(CouponErrors.OrderAlreadyRedeemed(locked.Code, request.OrderId))
                    : standing.OrderValue != request.OrderValue
                        ? RedeemOutcome.Refused(CouponErrors.IdempotencyKeyReused(locked.Code, request.OrderId))
                        : RedeemOutcome.Existing(standing);
                continue;
            }

            // After the order: a retry of a standing redemption gets it back even once the coupon expired or was switched off.
            if (CouponRules.RuleReason(locked, request.UserId, request.OrderValue, now) is { } reason)
            {
                outcomes[i] = RedeemOutcome.Refused(CouponErrors.NotApplicable(locked.Code, reason));
                continue;
            }

            if (locked.UsageLimit is { } limit && usage >= limit)
            {
                outcomes[i] = RedeemOutcome.Refused(CouponErrors.LimitReached(locked.Code, CouponReason.UsageLimitReached));
                continue;
            }

            var mine = byUser.GetValueOrDefault(request.UserId);
            if (locked.PerUserLimit is { } perUser && mine >= perUser)
            {
                outcomes[i] = RedeemOutcome.Refused(CouponErrors.LimitReached(locked.Code, CouponReason.UserLimitReached));
                continue;
            }

            var discount = CouponRules.Discount(locked, request.OrderValue);
            var redemption = new Redemption
            {
                Id = Guid.CreateVersion7(now),
                CouponId = locked.Id,
                UserId = request.UserId,
                OrderId = request.OrderId,
                OrderValue = Money.Round(request.OrderValue),
                DiscountApplied = discount,
                FinalAmount = Money.Round(request.OrderValue - discount),
                RedeemedAt = now,
            };
            usage++;
            byUser[request.UserId] = mine + 1;
            byOrder[request.OrderId] = redemption;
            outcomes[i] = RedeemOutcome.New(redemption);
        }

        return outcomes;
    }
}
