using Capacity.Application.Common.Caching;
using Capacity.Application.Members;
using Capacity.Domain.Common;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Infrastructure.Members;

/// <summary>
/// <see cref="IMemberCardCache"/>: the entry <see cref="GenerateCard.Query"/> reads and writes through the caching
/// behavior (same key, duration and tag, entry options built as the behavior builds them).
/// </summary>
internal sealed class FusionMemberCardCache(
    IFusionCache cache, CardIssuer issuer, CacheAreaStatistics areas, TimeProvider clock) : IMemberCardCache
{
    // As the caching behavior reads: a card issued on a miss tells no other instance (nothing changed).
    private readonly FusionCacheEntryOptions _options = cache.CreateEntryOptions(duration: MemberCache.CardDuration)
        .SetSkipBackplaneNotifications(true);

    public async Task<Result<CardResponse>> GetAsync(Guid memberId, CancellationToken cancellationToken)
    {
        var ran = false;
        var readNow = false;
        var cached = await cache.GetOrSetAsync<CachedValue<Result<CardResponse>>>(
            MemberCache.CardKey(memberId),
            async (_, ct) =>
            {
                ran = true;
                var card = await issuer.IssueAsync(memberId, ct);
                readNow = true;
                return new CachedValue<Result<CardResponse>>(card, clock.GetUtcNow());
            },
            default,
            _options,
            [MemberCache.CardTag(memberId)],
            cancellationToken);
        var key = MemberCache.CardKey(memberId);
        areas.Served(key, cached, readNow, refreshFailed: ran && !readNow, MemberCache.CardDuration, clock.GetUtcNow());
        if (readNow)
        {
            areas.RecordSize(key, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(cached.Value).LongLength);
        }

        return cached.Value;
    }
}
