using Capacity.Application.Common.Caching;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.UnitTests.Common.Caching;

public sealed class CacheAreaStatisticsTests
{
    [Theory]
    [InlineData("member:0199a3c45b6d7e8f9a0b1c2d3e4f5a6b", "member")]
    [InlineData("member:idn:0123456789abcdef0123456789abcdef", "member")]
    [InlineData("card:0199a3c45b6d7e8f9a0b1c2d3e4f5a6b", "card")]
    [InlineData("card:png:0199a3c45b6d7e8f9a0b1c2d3e4f5a6b", "card")]
    [InlineData("access-code:DEMO-BULK", "access-code")]
    [InlineData("client-key:abcd1234", "client-key")]
    [InlineData("rooms:42", "rooms")]
    [InlineData("plain", "plain")]
    public void A_key_belongs_to_the_area_its_prefix_names(string key, string area)
    {
        Assert.Equal(area, CacheAreaStatistics.AreaOf(key));
    }

    [Fact]
    public void Outcomes_are_counted_per_area_and_the_hit_rate_counts_stale_serves_as_answered_from_the_cache()
    {
        using var cache = new FusionCache(new FusionCacheOptions());
        var stats = new CacheAreaStatistics(cache);

        stats.Record("member:a", CacheOutcome.Miss);
        stats.Record("member:a", CacheOutcome.Hit);
        stats.Record("member:idn:b", CacheOutcome.Hit);
        stats.Record("member:a", CacheOutcome.Stale);
        stats.Record("card:a", CacheOutcome.Miss);

        var members = Assert.Single(stats.Snapshot(), a => a.Area == "member");
        Assert.Equal((2L, 1L, 1L, 0.75), (members.Hits, members.Misses, members.StaleServes, members.HitRate!.Value));
        Assert.Equal(0.0, Assert.Single(stats.Snapshot(), a => a.Area == "card").HitRate);
    }
}
