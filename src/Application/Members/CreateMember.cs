using Capacity.Application.Common.Messaging;
using Capacity.Domain.Common;
using Capacity.Domain.Members;
using FluentValidation;
using Mediator;

namespace Capacity.Application.Members;

/// <summary>
/// An administrator registers a member. The API assigns the member id and the membership number; an id number that is
/// already registered is 409 <c>member-exists</c>. The new member is written into both lookups' entries, over a lookup
/// of the id number made before and remembered as not found, on every instance.
/// </summary>
public static class CreateMember
{
    /// <param name="IdNumber">The national id number: 6-20 letters and digits, unique, matched case-insensitively.</param>
    /// <param name="Status">active (default), expired or suspended.</param>
    /// <param name="JoinedAt">When the membership began; default now.</param>
    /// <param name="ExpiresAt">When the membership ends; after joinedAt.</param>
    public sealed record Command(
        string? IdNumber,
        string? FirstName,
        string? Surname,
        string? ProvinceCode,
        string? MunicipalityCode,
        string? WardCode,
        DateTimeOffset? ExpiresAt,
        string? Status = null,
        DateTimeOffset? JoinedAt = null)
        : ICommand<Result<MemberResponse>>, IWritesThroughCache<Result<MemberResponse>>
    {
        public IEnumerable<IWrittenThroughQuery<Result<MemberResponse>>> CachedQueriesAnswered(Result<MemberResponse> response) =>
            [new GetMember.Query(response.Value!.MemberId), new GetMemberByIdNumber.Query(response.Value.IdNumber)];
    }

    internal sealed class Validator : AbstractValidator<Command>
    {
        public Validator(TimeProvider clock)
        {
            RuleFor(c => c.IdNumber).MustBeIdNumber();
            RuleFor(c => c.FirstName).MustBeName();
            RuleFor(c => c.Surname).MustBeName();
            RuleFor(c => c.ProvinceCode).MustBeAreaCode();
            RuleFor(c => c.MunicipalityCode).MustBeAreaCode();
            RuleFor(c => c.WardCode).MustBeAreaCode();
            RuleFor(c => c.Status).MustBeMemberStatus().When(c => c.Status is not null);
            RuleFor(c => c.ExpiresAt).NotNull();
            RuleFor(c => c.ExpiresAt).Must((c, expires) => expires > (c.JoinedAt ?? clock.GetUtcNow()))
                .When(c => c.ExpiresAt is not null)
                .WithMessage("'{PropertyName}' must be after joinedAt (now when joinedAt is omitted).");
        }
    }

    internal sealed class Handler(IMemberStore store, TimeProvider clock) : ICommandHandler<Command, Result<MemberResponse>>
    {
        public async ValueTask<Result<MemberResponse>> Handle(Command command, CancellationToken cancellationToken)
        {
            var now = Instants.AsStored(clock.GetUtcNow());
            var joined = command.JoinedAt is { } j ? Instants.AsStored(j) : now;
            var expires = Instants.AsStored(command.ExpiresAt!.Value);
            var sequence = await store.NextMembershipSequenceAsync(cancellationToken);
            var member = new Member
            {
                Id = Guid.CreateVersion7(now),
                IdNumber = MemberRules.NormalizeIdNumber(command.IdNumber!),
                FirstName = command.FirstName!.Trim(),
                Surname = command.Surname!.Trim(),
                ProvinceCode = command.ProvinceCode!.ToUpperInvariant(),
                MunicipalityCode = command.MunicipalityCode!.ToUpperInvariant(),
                WardCode = command.WardCode!.ToUpperInvariant(),
                MembershipNumber = MembershipNumbers.Format(sequence),
                Status = MemberRules.ParseStatus(command.Status) ?? MemberStatus.Active,
                JoinedAt = joined,
                ExpiresAt = expires,
                CreatedAt = now,
                UpdatedAt = now,
            };

            return await store.TryAddAsync(member, cancellationToken)
                ? MemberResponse.From(member)
                : MemberErrors.Exists();
        }
    }
}
