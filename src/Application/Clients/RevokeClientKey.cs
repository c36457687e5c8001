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
    public sealed record Command(Guid ClientId, Guid KeyId) : ICommand<Result<ClientKeyResponse>>;

    internal sealed class Handler(IClientStore store, IClientKeyDirectory directory, ApiKeyAuthenticator authenticator, TimeProvider clock)
        : ICommandHandler<Command, Result<ClientKeyResponse>>
    {
        public async ValueTask<Result<ClientKeyResponse>> Handle(Command command, CancellationToken cancellationToken)
        {
            if (await store.RevokeKeyAsync(command.ClientId, command.KeyId, clock.GetUtcNow(), cancellationToken) is not { } key)
            {
                return ClientErrors.KeyNotFound(command.ClientId, command.KeyId);
            }

            // Removed from the cache (here and, through the backplane, everywhere), then from this instance's memory, in
            // that order: a check between the two would otherwise put the unrevoked row back for a second.
            await directory.ForgetAsync(key.Prefix, cancellationToken);
            authenticator.Forget(key.Prefix);
            return ClientKeyResponse.From(key);
        }
    }
}
