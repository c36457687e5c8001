using System.Text.Json.Serialization;
using Capacity.Application.Common.Messaging;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using FluentValidation;
using Mediator;

namespace Capacity.Application.AccessCodes;

/// <summary>
/// Code login: claims one seat of an access code and opens a session. A retry carrying the same
/// <c>clientRef</c> gets its open session back instead of a second seat.
/// </summary>
public static class ClaimSeat
{
    /// <param name="Code">The access code (case-insensitive).</param>
    /// <param name="ClientRef">Optional idempotency key of the caller, up to 128 characters.</param>
    public sealed record Command(string? Code, string? ClientRef = null)
        : ICommand<Result<Response>>, IInvalidatesCache<Result<Response>>
    {
        public IEnumerable<string> CacheTagsToInvalidate(Result<Response> response) =>
            response.Value is { Resumed: false } granted ? [AccessCodeCache.CodeTag(granted.Code)] : [];

        CacheTagDelivery IInvalidatesCache<Result<Response>>.TagDelivery => AccessCodeCache.CodeTagDelivery;
    }

    /// <param name="SessionId">Pass it to end the session or to send heartbeats.</param>
    /// <param name="Code">The code, upper case.</param>
    /// <param name="UsageCount">Seats in use right after this claim.</param>
    /// <param name="Remaining">Seats still free right after this claim.</param>
    /// <param name="Resumed">True when an open session of the same client reference was returned.</param>
    public sealed record Response(
        Guid SessionId, string Code, int UsageCount, int Remaining, [property: JsonIgnore] bool Resumed);

    internal sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.Code).MustBeAccessCode();
            RuleFor(c => c.ClientRef)
                .MaximumLength(AccessCodeRules.ClientRefMaxLength)
                .Must(r => r is null || r.Trim().Length > 0)
                .WithMessage("'{PropertyName}' must not be blank when given.")
                .Must(r => r is null || !r.Any(char.IsControl))
                .WithMessage("'{PropertyName}' must not contain control characters.");
        }
    }

    internal sealed class Handler(ISeatLedger ledger, IAccessCodeCache cache) : ICommandHandler<Command, Result<Response>>
    {
        public async ValueTask<Result<Response>> Handle(Command command, CancellationToken cancellationToken)
        {
            var code = AccessCodeRules.Normalize(command.Code!);

            // Capacity pre-check: a code the cache shows full (its entry lives 5 s and every claim, release or
            // cleanup through the API removes it) is refused without touching the database. Only "full" is
            // trusted from the cache; every grant is decided by the database. A client holding a session
            // (clientRef) still goes to the database to get it back.
            if (command.ClientRef is null
                && await cache.PeekAsync(code, cancellationToken) is { } cached
                && cached.UsageCount >= cached.MaxUsageCount)
            {
                return AccessCodeErrors.Full(code, cached.MaxUsageCount);
            }

            var claim = await ledger.ClaimAsync(code, command.ClientRef, cancellationToken);
            if (!claim.IsSuccess)
            {
                return claim.Error;
            }

            var seat = claim.Value;
            return new Response(
                seat.SessionId, seat.Code, seat.UsageCount, seat.MaxUsageCount - seat.UsageCount, seat.Resumed);
        }
    }
}
