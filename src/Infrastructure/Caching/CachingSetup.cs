using Capacity.Application.Performance;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Infrastructure.Caching;

internal static class CachingSetup
{
    /// <summary>FusionCache with L1 memory always; with Redis, an L2 and the backplane too.</summary>
    public static void AddCapacityCache(this IServiceCollection services, bool withRedis)
    {
        services.AddSingleton<IMemoryCache>(_ => new MemoryCache(new MemoryCacheOptions { TrackStatistics = true }));
        services.AddSingleton<ICacheStatistics, MemoryCacheStatistics>();
        var builder = services.AddFusionCache()
            .WithRegisteredMemoryCache()
            .WithOptions(o =>
            {
                // Redis being unreachable must never fail a request: L2 and backplane errors are logged only.
                o.DistributedCacheCircuitBreakerDuration = TimeSpan.FromSeconds(2);
                o.BackplaneCircuitBreakerDuration = TimeSpan.FromSeconds(2);

                // RemoveByTag (every claim and release) writes a tag entry with these options, not the
                // defaults below: without them a sick Redis would hold each command for the client timeout.
                var tags = o.TagsDefaultEntryOptions;
                tags.DistributedCacheSoftTimeout = TimeSpan.FromMilliseconds(250);
                tags.DistributedCacheHardTimeout = TimeSpan.FromSeconds(2);
                tags.AllowBackgroundDistributedCacheOperations = true;
                tags.AllowBackgroundBackplaneOperations = true;
            })
            .WithPostSetup((sp, cache) =>
            {
                var settings = sp.GetRequiredService<IOptions<CachingOptions>>().Value;
                var entry = cache.DefaultEntryOptions;
                entry.IsFailSafeEnabled = true;
                entry.FailSafeMaxDuration = settings.FailSafeMaxDuration;
                entry.FailSafeThrottleDuration = settings.FailSafeThrottleDuration;
                entry.FactorySoftTimeout = settings.FactorySoftTimeout;
                entry.FactoryHardTimeout = settings.FactoryHardTimeout;
                entry.AllowTimedOutFactoryBackgroundCompletion = true;
                entry.DistributedCacheSoftTimeout = TimeSpan.FromMilliseconds(250);
                entry.DistributedCacheHardTimeout = TimeSpan.FromSeconds(2);
                entry.AllowBackgroundDistributedCacheOperations = true;
                entry.AllowBackgroundBackplaneOperations = true;
            });

        if (!withRedis)
        {
            return;
        }

        builder
            .WithSerializer(new JsonFusionCacheSerializer())
            .WithDistributedCache(sp =>
            {
                var redis = sp.GetRequiredService<IConnectionMultiplexer>();
                var prefix = sp.GetRequiredService<IOptions<CachingOptions>>().Value.KeyPrefix;
                return new RedisCache(Options.Create(new RedisCacheOptions
                {
                    ConnectionMultiplexerFactory = () => Task.FromResult(redis),
                    InstanceName = prefix + ":",
                }));
            })
            .WithBackplane(sp => new RedisBackplane(
                sp.GetRequiredService<IConnectionMultiplexer>(),
                sp.GetRequiredService<IOptions<CachingOptions>>().Value.KeyPrefix,
                sp.GetRequiredService<ILogger<RedisBackplane>>()));
    }
}
