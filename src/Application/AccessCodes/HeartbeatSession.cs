using Capacity.Domain.Common;
using Mediator;

namespace Capacity.Application.AccessCodes;

/// <summary>Keeps a session alive: records its last activity so idle cleanup leaves it alone.</summary>
public static class HeartbeatSession
{
    public sealed record Command(Guid SessionId) : ICommand<Result<Response>>;

    public sealed record Response(DateTimeOffset LastActivityAt);

    internal sealed class Handler(ISeatLedger ledger) : ICommandHandler<Command, Result<Response>>
    {
        public async ValueTask<Result<Response>> Handle(Command command, CancellationToken cancellationToken)
        {
            var touched = await ledger.TouchAsync(command.SessionId, cancellationToken);
            return touched.IsSuccess ? new Response(touched.Value) : touched.Error;
        }
    }
}
