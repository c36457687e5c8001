using Capacity.Application.Common.Messaging;
using Capacity.Domain.AccessCodes;
using FluentValidation;
using Mediator;

namespace Capacity.Application.AccessCodes;

/// <summary>
/// Ends the sessions idle for longer than <c>idleMinutes</c> and frees their seats (admin endpoint, and
/// periodically the cleanup service).
/// </summary>
public static class CleanupIdleSessions
{
    public const int MaxIdleMinutes = 7 * 24 * 60;

    /// <param name="IdleMinutes">Sessions whose last activity is older than this many minutes are ended (1 to 10080).</param>
    public sealed record Command(int? IdleMinutes) : ICommand<Response>, IInvalidatesCache<Response>
    {
        public IEnumerable<string> CacheTagsToInvalidate(Response response) =>
            response.ByCode.Select(c => AccessCodeCache.CodeTag(c.Code));

        CacheTagDelivery IInvalidatesCache<Response>.TagDelivery => AccessCodeCache.CodeTagDelivery;
    }

    /// <param name="SessionsEnded">Sessions ended by this cleanup.</param>
    /// <param name="SeatsReleased">Seats freed (equal to sessions ended unless counts had drifted).</param>
    /// <param name="ByCode">The same per code.</param>
    public sealed record Response(int SessionsEnded, int SeatsReleased, IReadOnlyList<IdleRelease> ByCode);

    internal sealed class Validator : AbstractValidator<Command>
    {
        public Validator() => RuleFor(c => c.IdleMinutes).NotNull().InclusiveBetween(1, MaxIdleMinutes);
    }

    internal sealed class Handler(ISeatLedger ledger, TimeProvider clock) : ICommandHandler<Command, Response>
    {
        public async ValueTask<Response> Handle(Command command, CancellationToken cancellationToken)
        {
            var idleSince = clock.GetUtcNow() - TimeSpan.FromMinutes(command.IdleMinutes!.Value);
            var byCode = await ledger.EndIdleSessionsAsync(idleSince, cancellationToken);
            return new Response(byCode.Sum(c => c.SessionsEnded), byCode.Sum(c => c.SeatsReleased), byCode);
        }
    }
}
