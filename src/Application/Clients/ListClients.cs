using Capacity.Application.Common.Paging;
using FluentValidation;
using Mediator;

namespace Capacity.Application.Clients;

/// <summary>Admins page through the clients, oldest first (the shared pagination).</summary>
public static class ListClients
{
    /// <param name="Page">The page, from 1 (default 1).</param>
    /// <param name="Limit">Clients per page, 1-100 (default 20).</param>
    public sealed record Query(int? Page = null, int? Limit = null) : IQuery<Paged<Summary>>, IPagedQuery;

    /// <param name="ActiveKeys">Keys that work now (not revoked).</param>
    public sealed record Summary(Guid Id, string Name, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, int ActiveKeys);

    internal sealed class Validator : AbstractValidator<Query>
    {
        public Validator()
        {
            RuleFor(q => q.Page).MustBePage();
            RuleFor(q => q.Limit).MustBeLimit();
        }
    }

    internal sealed class Handler(IClientStore store) : IQueryHandler<Query, Paged<Summary>>
    {
        public async ValueTask<Paged<Summary>> Handle(Query query, CancellationToken cancellationToken)
        {
            var (clients, total) = await store.ListAsync(query.OffsetOf(), query.LimitOf(), cancellationToken);
            var data = clients.Select(c => new Summary(c.Client.Id, c.Client.Name, c.Client.Scopes, c.Client.CreatedAt, c.ActiveKeys)).ToList();
            return Paged<Summary>.Of(data, query, total);
        }
    }
}
