using Capacity.Application.Clients;
using Capacity.Application.Common.Metrics;
using Capacity.Application.Common.Resilience;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Infrastructure.Clients;

/// <summary>
/// <see cref="IClientKeyDirectory"/> over FusionCache: a key's row is read from PostgreSQL (through the breaker) at most
/// once per <see cref="ClientCache.KeyDuration"/> per instance, shared through L2, and served stale while the database
/// is down (fail-safe), so keys that worked before an outage keep working through it. A revocation removes the entry
/// by its tag on every instance.
/// </summary>
internal sealed class FusionClientKeyDirectory(IFusionCache cache, IClientStore store, DatabaseCircuitBreaker breaker)
    : IClientKeyDirectory
{
    /// <summary>The <c>request</c> label of key checks in <c>capacity_cache_lookups_total</c>.</summary>
    public const string Lookup = "Clients.KeyCheck";

    private readonly FusionCacheEntryOptions _options = cache.CreateEntryOptions(duration: ClientCache.KeyDuration);

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
            [ClientCache.KeyTag(prefix)],
            cancellationToken);
        CapacityMetrics.CacheLookups.Add(1, new("request", Lookup), new("result", ranFactory ? "miss" : "hit"));
        return record;
    }
}
