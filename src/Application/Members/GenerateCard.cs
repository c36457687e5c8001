using Capacity.Application.Common.Messaging;
using Capacity.Domain.Common;
using Mediator;

namespace Capacity.Application.Members;

/// <summary>
/// A member's card data with its signed payload (seed 002's generate-data), cached 30 min; an update of the member
/// removes it on every instance, so a suspended member's next card says so.
/// </summary>
public static class GenerateCard
{
    public sealed record Query(Guid MemberId) : ICachedQuery<Result<CardResponse>>, IHandlesDatabaseFaults
    {
        public string CacheKey => MemberCache.CardKey(MemberId);

        public TimeSpan CacheDuration => MemberCache.CardDuration;

        public IReadOnlyCollection<string> CacheTags => [MemberCache.CardTag(MemberId)];
    }

    internal sealed class Handler(CardIssuer issuer) : IQueryHandler<Query, Result<CardResponse>>
    {
        public async ValueTask<Result<CardResponse>> Handle(Query query, CancellationToken cancellationToken) =>
            await issuer.IssueAsync(query.MemberId, cancellationToken);
    }
}
