using Capacity.Application.Common.Caching;
using Capacity.Application.Performance;
using Capacity.Infrastructure.Health;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.Infrastructure.Caching;

internal static class CachingSetup
{
    /// <summary>
    /// The two-level cache: L1 memory always; with <c>ConnectionStrings:Redis</c>, Redis as L2 and backplane, the
    /// batched tag broadcast and Redis's health check.
    /// </summary>
    public static IServiceCollection AddCaching(this IServiceCollection services, IConfiguration configuration, IHealthChecksBuilder health)
    {
        // CachingOptions are registered by AddApplication: the caching behavior and the tag invalidator read them too.
        var redis = configuration.GetConnectionString("Redis");
        var withRedis = !string.IsNullOrWhiteSpace(redis);
        if (withRedis)
        {
            services.AddSingleton<IConnectionMultiplexer>(_ =>
            {
                var options = ConfigurationOptions.Parse(redis!);
                options.AbortOnConnectFail = false;
                options.ConnectTimeout = 2000;

                // While Redis is unreachable, fail cache commands at once (the cache then works on L1 alone)
                // instead of queueing them until the 5 s command timeout.
                options.BacklogPolicy = BacklogPolicy.FailFast;
                return ConnectionMultiplexer.Connect(options);
            });
            // Degraded, not unhealthy: without Redis every instance still serves from its L1 cache and the database.
            health.AddCheck<RedisHealthCheck>("redis", HealthStatus.Degraded, [DependencyInjection.ReadyTag], TimeSpan.FromSeconds(3));

            // Tag invalidations reach the other instances in batched pub/sub messages (see TagInvalidator).
            services.AddSingleton<RedisTagBroadcast>();
            services.AddSingleton<ITagBroadcast>(sp => sp.GetRequiredService<RedisTagBroadcast>());
            services.AddHostedService(sp => sp.GetRequiredService<RedisTagBroadcast>());
        }

        services.AddCapacityCache(withRedis);
        return services;
    }

    /// <summary>FusionCache with L1 memory always; with Redis, an L2 and the backplane too.</summary>
    private static void AddCapacityCache(this IServiceCollection services, bool withRedis)
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
