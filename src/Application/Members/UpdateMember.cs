using Capacity.Application.Common.Messaging;
using Capacity.Domain.Common;
using Capacity.Domain.Members;
using System.Text.Json.Serialization;
using FluentValidation;
using Mediator;

namespace Capacity.Application.Members;

/// <summary>
/// An administrator changes a member's names, status and expiry (the id number, areas and membership number stay).
/// The updated member is written into both lookups' entries (by id and by id number) and the card and its image are
/// removed, on every instance through Redis and the backplane.
/// </summary>
public static class UpdateMember
{
    /// <param name="Status">active, expired or suspended.</param>
    /// <param name="ExpiresAt">When the membership ends; after the member joined.</param>
    public sealed record Command(string? FirstName, string? Surname, string? Status, DateTimeOffset? ExpiresAt)
        : ICommand<Result<MemberResponse>>, IInvalidatesCache<Result<MemberResponse>>, IWritesThroughCache<Result<MemberResponse>>
    {
        /// <summary>From the route, not the body.</summary>
        [JsonIgnore]
        public Guid MemberId { get; init; }

        public IEnumerable<string> CacheTagsToInvalidate(Result<MemberResponse> response) => [MemberCache.CardTag(MemberId)];

        public IEnumerable<IWrittenThroughQuery<Result<MemberResponse>>> CachedQueriesAnswered(Result<MemberResponse> response) =>
            [new GetMember.Query(MemberId), new GetMemberByIdNumber.Query(response.Value!.IdNumber)];

        CacheTagDelivery IInvalidatesCache<Result<MemberResponse>>.TagDelivery => MemberCache.TagDelivery;
    }

    internal sealed class Validator : AbstractValidator<Command>
    {
        public Validator()
        {
            RuleFor(c => c.FirstName).MustBeName();
            RuleFor(c => c.Surname).MustBeName();
            RuleFor(c => c.Status).NotEmpty().MustBeMemberStatus();
            RuleFor(c => c.ExpiresAt).NotNull();
        }
    }

    internal sealed class Handler(IMemberStore store, TimeProvider clock) : ICommandHandler<Command, Result<MemberResponse>>
    {
        public async ValueTask<Result<MemberResponse>> Handle(Command command, CancellationToken cancellationToken)
        {
            var expires = Instants.AsStored(command.ExpiresAt!.Value);
            if (await store.FindAsync(command.MemberId, cancellationToken) is not { } existing)
            {
                return MemberErrors.NotFound(command.MemberId);
            }

            if (expires <= existing.JoinedAt)
            {
                return MemberErrors.ExpiryBeforeJoining(existing.JoinedAt);
            }

            var member = await store.UpdateAsync(
                command.MemberId, command.FirstName!.Trim(), command.Surname!.Trim(), MemberRules.ParseStatus(command.Status)!.Value,
                expires, Instants.AsStored(clock.GetUtcNow()), cancellationToken);
            return member is null ? MemberErrors.NotFound(command.MemberId) : MemberResponse.From(member);
        }
    }
}
