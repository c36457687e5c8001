using Capacity.Application.Common.Messaging;
using Capacity.Domain.Common;
using Mediator;

namespace Capacity.Application.AccessCodes;

/// <summary>Ends a session and frees its seat; ending it again frees nothing and says so.</summary>
public static class EndSession
{
    public sealed record Command(Guid SessionId)
        : ICommand<Result<Response>>, IInvalidatesCache<Result<Response>>
    {
        public IEnumerable<string> CacheTagsToInvalidate(Result<Response> response) =>
            response.Value is { Released: true } ended ? [AccessCodeCache.CodeTag(ended.Code)] : [];

        CacheTagDelivery IInvalidatesCache<Result<Response>>.TagDelivery => AccessCodeCache.CodeTagDelivery;
    }

    /// <param name="Released">True when this call freed the seat; false when the session had already ended.</param>
    /// <param name="UsageCount">Seats of the code in use after this call.</param>
    /// <param name="Code">The session's access code.</param>
    public sealed record Response(bool Released, int UsageCount, string Code);

    internal sealed class Handler(ISeatLedger ledger) : ICommandHandler<Command, Result<Response>>
    {
        public async ValueTask<Result<Response>> Handle(Command command, CancellationToken cancellationToken)
        {
            var release = await ledger.ReleaseAsync(command.SessionId, cancellationToken);
            return release.IsSuccess
                ? new Response(release.Value.Released, release.Value.UsageCount, release.Value.Code)
                : release.Error;
        }
    }
}
