using Capacity.Application.Common.Paging;
using FluentValidation;
using Mediator;

namespace Capacity.Application.Coupons;

/// <summary>Admins page through coupons in code order, filtered by status and kind (the shared pagination).</summary>
public static class ListCoupons
{
    /// <param name="Status">active, inactive or expired (expired includes coupons past validTo).</param>
    /// <param name="Kind">user or time.</param>
    /// <param name="Page">The page, from 1 (default 1).</param>
    /// <param name="Limit">Coupons per page, 1-100 (default 20).</param>
    public sealed record Query(string? Status = null, string? Kind = null, int? Page = null, int? Limit = null)
        : IQuery<Paged<CouponResponse>>, IPagedQuery;

    internal sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Status).Must(s => s is null || CouponText.Status(s) is not null)
                .WithMessage("'{PropertyName}' must be \"active\", \"inactive\" or \"expired\".");
            RuleFor(q => q.Kind).Must(k => k is null || CouponText.Kind(k) is not null)
                .WithMessage("'{PropertyName}' must be \"user\" or \"time\".");
            RuleFor(q => q.Page).MustBePage();
            RuleFor(q => q.Limit).MustBeLimit();
        }
    }

    internal sealed class Handler(ICouponStore store, TimeProvider clock) : IQueryHandler<Query, Paged<CouponResponse>>
    {
        public async ValueTask<Paged<CouponResponse>> Handle(Query query, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var (coupons, total) = await store.ListAsync(
                CouponText.Status(query.Status), CouponText.Kind(query.Kind), query.OffsetOf(), query.LimitOf(), now, cancellationToken);
            return Paged<CouponResponse>.Of(coupons.Select(c => CouponResponse.From(c, now)).ToList(), query, total);
        }
    }
}
