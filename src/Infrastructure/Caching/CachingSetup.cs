using System.Text.Json;
using System.Text.Json.Serialization;
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
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace Capacity.Infrastructure.Caching;

internal static class CachingSetup
{
    /// <summary>
    /// How L2 (Redis) entries are written: System.Text.Json, reflection-based on purpose, because FusionCache
    /// serializes its own envelopes (<c>FusionCacheDistributedEntry&lt;T&gt;</c>, tag entries) around our values.
    /// </summary>
    private static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },

        // Value tuples keep their items in fields: without this they would come back from L2 empty, and
        // FusionCache's advisor warns at start about a System.Text.Json serializer that loses them.
        IncludeFields = true,
    };

    /// <summary>The least time between two attempts to reconnect to Redis (attempts are made at the client's heartbeat).</summary>
    private static readonly TimeSpan ReconnectInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The L2 serializer (the package's System.Text.Json one with <see cref="SerializerOptions"/>).</summary>
    internal static IFusionCacheSerializer CreateSerializer() => new FusionCacheSystemTextJsonSerializer(SerializerOptions);

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

                // Once Redis is back, reconnect at the next heartbeat rather than after the default exponential
                // back-off (seconds), and beat four times a second instead of once (a PING per idle connection): the
                // backplane's missed messages are re-sent only once every instance is subscribed again.
                options.HeartbeatInterval = ReconnectInterval;
                options.ReconnectRetryPolicy = new LinearRetry((int)ReconnectInterval.TotalMilliseconds);
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

        // Redis pub/sub ignores the database number: the backplane's channel carries the deployment's key prefix
        // ("{prefix}.Backplane..."), so deployments and test hosts sharing one Redis never see each other's messages.
        services.AddOptions<FusionCacheOptions>()
            .Configure<IOptions<CachingOptions>>((o, caching) => o.BackplaneChannelPrefix = caching.Value.KeyPrefix);
        var builder = services.AddFusionCache()
            .WithRegisteredMemoryCache()
            .WithOptions(o =>
            {
                // Redis being unreachable must never fail a request: L2 and backplane errors are logged only.
                o.DistributedCacheCircuitBreakerDuration = TimeSpan.FromSeconds(2);
                o.BackplaneCircuitBreakerDuration = TimeSpan.FromSeconds(2);

                // A factory failing because the database is down is the breaker's news (it logs opening and closing
                // once); at Warning FusionCache logged it with its stack trace for every lookup of an outage (9,000
                // lines in 20 s of the bench, a fifth of the API's CPU). Failures of any other kind are logged by
                // CachingBehavior, or reach the exception handler.
                o.FactoryErrorsLogLevel = LogLevel.Debug;

                // What the backplane missed while Redis was down is re-sent once every instance has had the time to
                // reconnect (FusionCache's advice: longer than the client's reconnection delay): pub/sub keeps nothing
                // for an instance not yet subscribed again. Each instance retries at its own heartbeat (every 250 ms, at
                // its own offset) and then connects and subscribes: 1 s covers that with room on a busy machine.
                o.AutoRecoveryDelay = ReconnectInterval * 4;

                // Tag entries use these options, not the defaults below (a read of a tagged entry whose tag this
                // instance has not seen asks L2 for it): without them a sick Redis would hold each such read for the
                // client timeout. Invalidations themselves stay in memory (TagInvalidator, decision 007).
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
            .WithSerializer(CreateSerializer())
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
            // The package's backplane over the same connection as L2 and the tag broadcast. It re-subscribes and tells
            // FusionCache after a reconnect (which then re-syncs what it may have missed).
            .WithBackplane(sp =>
            {
                var redis = sp.GetRequiredService<IConnectionMultiplexer>();
                return new RedisBackplane(
                    new RedisBackplaneOptions { ConnectionMultiplexerFactory = () => Task.FromResult(redis) },
                    sp.GetRequiredService<ILogger<RedisBackplane>>());
            });
    }
}
