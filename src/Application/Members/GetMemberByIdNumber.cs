using Capacity.Application.Common.Messaging;
using Capacity.Domain.Common;
using Capacity.Domain.Members;
using FluentValidation;
using Mediator;

namespace Capacity.Application.Members;

/// <summary>
/// A member by national id number (the seed's most frequent query), read through the cache (1 h, keyed by a digest of
/// the number; a registration or an update writes it there, over a not-found remembered before).
/// </summary>
public static class GetMemberByIdNumber
{
    /// <param name="IdNumber">6-20 letters and digits, matched case-insensitively.</param>
    public sealed record Query(string IdNumber) : IWrittenThroughQuery<Result<MemberResponse>>
    {
        private string Normalized => MemberRules.NormalizeIdNumber(IdNumber);

        public string CacheKey => MemberCache.IdNumberKey(Normalized);

        public TimeSpan CacheDuration => MemberCache.MemberDuration;

        public IReadOnlyCollection<string> CacheTags => [];
    }

    internal sealed class Validator : AbstractValidator<Query>
    {
        public Validator() => RuleFor(q => q.IdNumber).MustBeIdNumber();
    }

    internal sealed class Handler(IMemberStore store) : IQueryHandler<Query, Result<MemberResponse>>
    {
        public async ValueTask<Result<MemberResponse>> Handle(Query query, CancellationToken cancellationToken) =>
            await store.FindByIdNumberAsync(MemberRules.NormalizeIdNumber(query.IdNumber), cancellationToken) is { } member
                ? MemberResponse.From(member)
                : MemberErrors.NotFoundByIdNumber();
    }
}
