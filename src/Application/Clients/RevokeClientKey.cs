using Capacity.Application.Common.Messaging;
using Capacity.Domain.Clients;
using Capacity.Domain.Common;
using Mediator;

namespace Capacity.Application.Clients;

/// <summary>
/// Rotation, step two: a key stops working, on every instance within moments (its cached check is invalidated
/// through the backplane). Revoking a revoked key changes nothing and succeeds.
/// </summary>
public static class RevokeClientKey
{
    public sealed record Command(Guid ClientId, Guid KeyId)
        : ICommand<Result<ClientKeyResponse>>, IInvalidatesCache<Result<ClientKeyResponse>>
    {
        public IEnumerable<string> CacheTagsToInvalidate(Result<ClientKeyResponse> response) =>
            response.Value is { } key ? [ClientCache.KeyTag(key.Prefix)] : [];
    }

    internal sealed class Handler(IClientStore store, ApiKeyAuthenticator authenticator, TimeProvider clock)
        : ICommandHandler<Command, Result<ClientKeyResponse>>
    {
        public async ValueTask<Result<ClientKeyResponse>> Handle(Command command, CancellationToken cancellationToken)
        {
            if (await store.RevokeKeyAsync(command.ClientId, command.KeyId, clock.GetUtcNow(), cancellationToken) is not { } key)
            {
                return ClientErrors.KeyNotFound(command.ClientId, command.KeyId);
            }

            // This instance forgets it now; the others drop their cached check when the tag's invalidation reaches them.
            authenticator.Forget(key.Prefix);
            return ClientKeyResponse.From(key);
        }
    }
}
