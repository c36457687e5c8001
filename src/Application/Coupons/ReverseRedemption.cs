using Capacity.Domain.Common;
using Mediator;

namespace Capacity.Application.Coupons;

/// <summary>
/// A cancelled order gives its coupon use back, exactly once however often and however concurrently it is called;
/// afterwards the same order may redeem again.
/// </summary>
public static class ReverseRedemption
{
    public sealed record Command(Guid RedemptionId) : ICommand<Result<Reversal>>;

    internal sealed class Handler(ICouponLedger ledger, TimeProvider clock) : ICommandHandler<Command, Result<Reversal>>
    {
        public async ValueTask<Result<Reversal>> Handle(Command command, CancellationToken cancellationToken) =>
            await ledger.ReverseAsync(command.RedemptionId, clock.GetUtcNow(), cancellationToken);
    }
}
