using Capacity.Domain.Clients;
using FluentValidation;
using Mediator;

namespace Capacity.Application.Clients;

/// <summary>An administrator registers a client system with its scopes; it gets its first key, shown this once.</summary>
public static class CreateClient
{
    /// <param name="Name">What the client is (1-100 characters), e.g. "shop-backend".</param>
    /// <param name="Scopes">One or more of admin, bookings, codes:claim, coupons, inventory, members:read.</param>
    public sealed record Command(string? Name, string[]? Scopes) : ICommand<Response>;

    /// <param name="Id">The client's id.</param>
    /// <param name="KeyId">The first key's id.</param>
    /// <param name="Prefix">The first key's visible prefix.</param>
    /// <param name="Key">The first key: shown this once, stored only as a hash.</param>
    public sealed record Response(Guid Id, string Name, IReadOnlyList<string> Scopes, Guid KeyId, string Prefix, string Key, DateTimeOffset CreatedAt);

    internal sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Name).MustBeClientName();
            RuleFor(c => c.Scopes).MustBeScopes();
        }
    }

    internal sealed class Handler(IClientStore store, TimeProvider clock) : ICommandHandler<Command, Response>
    {
        public async ValueTask<Response> Handle(Command command, CancellationToken cancellationToken)
        {
            var now = clock.GetUtcNow();
            var client = new Client
            {
                Id = Guid.CreateVersion7(now),
                Name = command.Name!.Trim(),
                Scopes = ClientScopes.Canonical(command.Scopes!),
                CreatedAt = now,
            };
            var (key, prefix, hash) = ApiKeys.Generate();
            var stored = new ClientKey { Id = Guid.CreateVersion7(now), ClientId = client.Id, Prefix = prefix, Hash = hash, CreatedAt = now };
            await store.AddAsync(client, stored, cancellationToken);
            return new Response(client.Id, client.Name, client.Scopes, stored.Id, prefix, key, now);
        }
    }
}
