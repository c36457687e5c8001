using Capacity.Application.Common.Paging;
using Capacity.Domain.Coupons;
using FluentValidation;
using Mediator;

namespace Capacity.Application.Coupons;

/// <summary>Admins read recent validation attempts, newest first, keyset-paginated (the audit of seed 003).</summary>
public static class ListValidations
{
    /// <param name="After">The next cursor of the previous page.</param>
    /// <param name="Limit">Rows per page, 1-100 (default 20).</param>
    public sealed record Query(string? After = null, int? Limit = null) : IQuery<KeysetPage<ValidationLogEntry>>, IKeysetQuery;

    internal sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.After).MustBeCursor();
            RuleFor(q => q.Limit).MustBeLimit();
        }
    }

    internal sealed class Handler(ICouponStatistics statistics) : IQueryHandler<Query, KeysetPage<ValidationLogEntry>>
    {
        public async ValueTask<KeysetPage<ValidationLogEntry>> Handle(Query query, CancellationToken cancellationToken)
        {
            KeysetCursor? after = KeysetCursor.TryDecode(query.After, out var cursor) ? cursor : null;
            var limit = query.LimitOf();
            var rows = await statistics.RecentAsync(after, limit + 1, cancellationToken);
            return KeysetPage<ValidationLogEntry>.Of(rows, limit, r => new KeysetCursor(r.ValidatedAt, r.Id));
        }
    }
}
