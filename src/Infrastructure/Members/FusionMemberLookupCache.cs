using Capacity.Application.Common.Caching;
using Capacity.Application.Members;
using Capacity.Domain.Common;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Infrastructure.Members;

/// <summary>
/// <see cref="IMemberLookupCache"/>: reads the entry <see cref="GetMember.Query"/> reads and the member commands write
/// through (memory, else Redis), fresh values only (never fail-safe's), and a remembered not-found as nothing.
/// </summary>
internal sealed class FusionMemberLookupCache(IFusionCache cache) : IMemberLookupCache
{
    public async Task<MemberResponse?> PeekAsync(Guid memberId, CancellationToken cancellationToken)
    {
        var entry = await cache.TryGetAsync<CachedValue<Result<MemberResponse>>>(MemberCache.MemberKey(memberId), token: cancellationToken);
        return entry.HasValue && entry.Value.Value.IsSuccess ? entry.Value.Value.Value : null;
    }
}
