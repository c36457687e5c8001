using Capacity.Domain.Clients;
using Capacity.Domain.Common;
using Mediator;

namespace Capacity.Application.Clients;

/// <summary>An admin reads a client with its keys (ids, prefixes, dates; never a key).</summary>
public static class GetClient
{
    public sealed record Query(Guid ClientId) : IQuery<Result<ClientResponse>>;

    internal sealed class Handler(IClientStore store) : IQueryHandler<Query, Result<ClientResponse>>
    {
        public async ValueTask<Result<ClientResponse>> Handle(Query query, CancellationToken cancellationToken) =>
            await store.FindAsync(query.ClientId, cancellationToken) is { } client
                ? ClientResponse.From(client)
                : ClientErrors.NotFound(query.ClientId);
    }
}
