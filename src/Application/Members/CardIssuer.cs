using Capacity.Application.Common.Caching;
using Capacity.Domain.Common;
using Capacity.Domain.Members;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Application.Members;

/// <summary>
/// Issues a member's card from the member the lookups answer when the cache holds it fresh (what a registration or an
/// update wrote through, or a lookup read), else from the database. So a card drawn right after an update shows the
/// update even when PostgreSQL stopped a moment later, and a card costs no database read for a member just looked up.
/// </summary>
public sealed class CardIssuer(IFusionCache cache, IMemberStore store, ICardSigner signer, TimeProvider clock)
{
    public async Task<Result<CardResponse>> IssueAsync(Guid memberId, CancellationToken cancellationToken)
    {
        var looked = await cache.TryGetAsync<CachedValue<Result<MemberResponse>>>(MemberCache.MemberKey(memberId), token: cancellationToken);
        var member = looked.HasValue && looked.Value.Value.IsSuccess
            ? looked.Value.Value.Value!
            : await store.FindAsync(memberId, cancellationToken) is { } stored ? MemberResponse.From(stored) : null;
        return member is null ? MemberErrors.NotFound(memberId) : CardResponse.Issue(member, signer, clock.GetUtcNow());
    }
}
