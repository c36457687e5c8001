using Capacity.Application.AccessCodes;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Domain.Coupons;
using FluentValidation;
using Mediator;

namespace Capacity.Application.Coupons;

/// <summary>An admin reads how a coupon is used: validations by outcome and reason, their response times, redemptions.</summary>
public static class GetCouponStats
{
    public sealed record Query(string Code) : IQuery<Result<Response>>;

    /// <param name="Validations">Validation attempts logged for the code (stored rows: the last few seconds may still be queued).</param>
    /// <param name="Valid">Of them, valid.</param>
    /// <param name="ValidRate">Valid / validations (0 when none).</param>
    /// <param name="ByReason">Invalid attempts by reason.</param>
    /// <param name="AvgResponseMs">Mean time to answer a validation, in milliseconds.</param>
    /// <param name="P95ResponseMs">95th percentile of it.</param>
    /// <param name="Redemptions">Standing redemptions (reversed ones do not count).</param>
    public sealed record Response(
        long Validations, long Valid, double ValidRate, IReadOnlyDictionary<string, long> ByReason, double AvgResponseMs,
        double P95ResponseMs, int Redemptions);

    internal sealed class Validator : AbstractValidator<Query>
    {
        public Validator() => RuleFor(q => q.Code).MustBeAccessCode();
    }

    internal sealed class Handler(ICouponStatistics statistics) : IQueryHandler<Query, Result<Response>>
    {
        public async ValueTask<Result<Response>> Handle(Query query, CancellationToken cancellationToken)
        {
            var code = AccessCodeRules.Normalize(query.Code);
            return await statistics.StatsAsync(code, cancellationToken) is { } stats ? stats : CouponErrors.NotFound(code);
        }
    }
}
