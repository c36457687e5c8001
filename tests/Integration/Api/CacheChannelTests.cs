using Capacity.IntegrationTests.Faults;
using Capacity.IntegrationTests.Fixtures;
using StackExchange.Redis;

namespace Capacity.IntegrationTests.Api;

/// <summary>
/// Redis pub/sub ignores the database number, so the backplane's and the tag broadcast's channels must carry the
/// deployment's <c>Caching:KeyPrefix</c>: each test class has its own, and hosts of different classes sharing one
/// Redis must never see each other's messages.
/// </summary>
public sealed class CacheChannelTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    [Fact]
    public async Task Backplane_and_tag_broadcast_listen_on_channels_named_by_the_key_prefix()
    {
        Assert.False(string.IsNullOrEmpty(api.RedisConnectionString), "These tests run with Redis (build/test starts it).");
        using (await api.Client.GetAsync("/health/ready"))
        {
            // The host is up: the cache and its subscriptions are created with it.
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync(api.RedisConnectionString!);
        var server = redis.GetServers()[0];

        var channels = await Poll.UntilAsync(
            async () => (await server.SubscriptionChannelsAsync(RedisChannel.Pattern(api.CacheKeyPrefix + "*")))
                .Select(c => c.ToString()).Order(StringComparer.Ordinal).ToArray(),
            found => found.Length >= 2,
            $"the channels of prefix {api.CacheKeyPrefix}");

        Assert.Equal(2, channels.Length);
        Assert.StartsWith(api.CacheKeyPrefix + ".Backplane", channels[0]);
        Assert.Equal(api.CacheKeyPrefix + ":tag-invalidations", channels[1]);

        // FusionCache's default channel (its cache name) would be shared by every host on this Redis.
        Assert.Empty(await server.SubscriptionChannelsAsync(RedisChannel.Pattern("FusionCache*")));
    }
}
