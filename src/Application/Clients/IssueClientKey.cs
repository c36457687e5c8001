using Capacity.Domain.Clients;
using Capacity.Domain.Common;
using Mediator;

namespace Capacity.Application.Clients;

/// <summary>
/// Rotation, step one: a client gets a new key; its other keys keep working until they are revoked, so the client
/// can switch without a moment in which no key works.
/// </summary>
public static class IssueClientKey
{
    public sealed record Command(Guid ClientId) : ICommand<Result<IssuedKey>>;

    internal sealed class Handler(IClientStore store, TimeProvider clock) : ICommandHandler<Command, Result<IssuedKey>>
    {
        public async ValueTask<Result<IssuedKey>> Handle(Command command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var (key, prefix, hash) = ApiKeys.Generate();
            var stored = new ClientKey { Id = Guid.CreateVersion7(now), ClientId = command.ClientId, Prefix = prefix, Hash = hash, CreatedAt = now };
            return await store.AddKeyAsync(stored, ClientRules.MaxActiveKeys, cancellationToken) switch
            {
                KeyAddition.Added => new IssuedKey(stored.Id, prefix, key, now),
                KeyAddition.LimitReached => ClientErrors.KeyLimit(command.ClientId),
                _ => ClientErrors.NotFound(command.ClientId),
            };
        }
    }
}
