using Capacity.Application.Common.Messaging;
using Capacity.Domain.Common;
using Capacity.Domain.Members;
using Mediator;

namespace Capacity.Application.Members;

/// <summary>A member by id, read through the cache (1 h; a registration or an update writes it there).</summary>
public static class GetMember
{
    public sealed record Query(Guid MemberId) : IWrittenThroughQuery<Result<MemberResponse>>
    {
        public string CacheKey => MemberCache.MemberKey(MemberId);

        public TimeSpan CacheDuration => MemberCache.MemberDuration;

        public IReadOnlyCollection<string> CacheTags => [];
    }

    internal sealed class Handler(IMemberStore store) : IQueryHandler<Query, Result<MemberResponse>>
    {
        public async ValueTask<Result<MemberResponse>> Handle(Query query, CancellationToken cancellationToken) =>
            await store.FindAsync(query.MemberId, cancellationToken) is { } member
                ? MemberResponse.From(member)
                : MemberErrors.NotFound(query.MemberId);
    }
}
