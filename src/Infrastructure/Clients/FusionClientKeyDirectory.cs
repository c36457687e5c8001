using Capacity.Application.Clients;
using Capacity.Application.Common.Metrics;
using Capacity.Application.Common.Resilience;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Infrastructure.Clients;

/// <summary>
/// <see cref="IClientKeyDirectory"/> over FusionCache: a key's row is read from PostgreSQL (through the breaker) at most
/// once per <see cref="ClientCache.KeyDuration"/> per instance and served stale while the database is down (fail-safe), so
/// keys that worked before an outage keep working through it. A revocation removes the entry by key on every instance.
/// </summary>
internal sealed class FusionClientKeyDirectory(IFusionCache cache, IClientStore store, DatabaseCircuitBreaker breaker)
    : IClientKeyDirectory
{
    /// <summary>The <c>request</c> label of key checks in <c>capacity_cache_lookups_total</c>.</summary>
    public const string Lookup = "Clients.KeyCheck";

    // This instance's memory only, no tag: an unknown prefix costs no Redis write, and a revocation removes the entry by
    // key here and, through the backplane, on every instance (a removed entry, unlike a tag-expired one, is never served
    // stale by fail-safe).
    private readonly FusionCacheEntryOptions _options = cache.CreateEntryOptions(duration: ClientCache.KeyDuration)
        .SetSkipDistributedCache(true, true)
        .SetSkipBackplaneNotifications(true);

    public async ValueTask<KeyRecord?> FindAsync(string prefix, CancellationToken cancellationToken)
    {
        var ranFactory = false;
        var record = await cache.GetOrSetAsync<KeyRecord?>(
            ClientCache.KeyEntry(prefix),
            async (_, ct) =>
            {
                ranFactory = true;
                return await breaker.ExecuteAsync(c => new ValueTask<KeyRecord?>(store.FindKeyAsync(prefix, c)), ct);
            },
            default,
            _options,
            tags: null,
            token: cancellationToken);
        CapacityMetrics.CacheLookups.Add(1, new("request", Lookup), new("result", ranFactory ? "miss" : "hit"));
        return record;
    }

    // The cache's default options: removed here at once and on the other instances through the backplane.
    public ValueTask ForgetAsync(string prefix, CancellationToken cancellationToken) =>
        cache.RemoveAsync(ClientCache.KeyEntry(prefix), token: cancellationToken);
}
