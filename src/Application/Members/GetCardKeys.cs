using Capacity.Application.Common.Messaging;
using Mediator;

namespace Capacity.Application.Members;

/// <summary>The public keys that verify card payloads (a JWK set): the signing key and the retired ones still configured.</summary>
public static class GetCardKeys
{
    public sealed record Query : IQuery<CardKeySet>, IWithoutDatabase;

    internal sealed class Handler(ICardSigner signer) : IQueryHandler<Query, CardKeySet>
    {
        public ValueTask<CardKeySet> Handle(Query query, CancellationToken cancellationToken) => ValueTask.FromResult(signer.PublicKeys);
    }
}
