using Capacity.Application.Common.Paging;
using FluentValidation;
using Mediator;

namespace Capacity.Application.AccessCodes;

/// <summary>Admins page through every access code with its usage, in code order (the shared pagination).</summary>
public static class ListAccessCodes
{
    /// <param name="Page">The page, from 1 (default 1).</param>
    /// <param name="Limit">Codes per page, 1-100 (default 20).</param>
    public sealed record Query(int? Page = null, int? Limit = null) : IQuery<Paged<AccessCodeResponse>>, IPagedQuery;

    internal sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Page).MustBePage();
            RuleFor(q => q.Limit).MustBeLimit();
        }
    }

    internal sealed class Handler(IAccessCodeStore store) : IQueryHandler<Query, Paged<AccessCodeResponse>>
    {
        public async ValueTask<Paged<AccessCodeResponse>> Handle(Query query, CancellationToken cancellationToken)
        {
            var (codes, total) = await store.ListAsync(query.OffsetOf(), query.LimitOf(), cancellationToken);
            return Paged<AccessCodeResponse>.Of(codes.Select(AccessCodeResponse.From).ToList(), query, total);
        }
    }
}
