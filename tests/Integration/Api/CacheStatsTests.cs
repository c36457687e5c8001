using System.Net;
using System.Text.Json;
using Capacity.Application.Members;
using Capacity.IntegrationTests.Faults;
using Capacity.IntegrationTests.Fixtures;
using Capacity.IntegrationTests.Members;
using Microsoft.Extensions.DependencyInjection;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.IntegrationTests.Api;

/// <summary>GET /api/admin/cache/stats: the member and card areas after reads that miss and then hit.</summary>
public sealed class CacheStatsTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    [Fact]
    public async Task Areas_count_their_hits_misses_entries_and_bytes()
    {
        var reader = await api.ReaderClientAsync();
        var memberId = (await api.CreateMemberAsync()).GetProperty("memberId").GetGuid();

        // Registration wrote the member's lookups; forgotten here, so the first read is a miss.
        await api.Services.GetRequiredService<IFusionCache>().RemoveAsync(MemberCache.MemberKey(memberId));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/members/{memberId}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/members/{memberId}/card.png")).StatusCode);

        var areas = await Poll.UntilAsync(
            async () => JsonDocument.Parse(await api.AdminClient.GetStringAsync("/api/admin/cache/stats")).RootElement.GetProperty("areas")
                .EnumerateArray().ToDictionary(a => a.GetProperty("area").GetString()!, a => a.Clone()),
            a => a.TryGetValue("member", out var m) && m.GetProperty("entries").GetInt64() >= 1
                && a.TryGetValue("card", out var c) && c.GetProperty("entries").GetInt64() >= 2,
            "the member and card areas to show their entries");

        var members = areas["member"];
        Assert.True(members.GetProperty("misses").GetInt64() >= 1);
        Assert.True(members.GetProperty("hits").GetInt64() >= 2);
        Assert.InRange(members.GetProperty("hitRate").GetDouble(), 0.01, 1);
        Assert.Equal(0, members.GetProperty("staleServes").GetInt64());
        Assert.True(members.GetProperty("estimatedBytes").GetInt64() > 100);
        var cards = areas["card"];
        Assert.True(cards.GetProperty("misses").GetInt64() >= 2, cards.GetRawText());
        Assert.True(cards.GetProperty("estimatedBytes").GetInt64() > 1000, cards.GetRawText());
        Assert.DoesNotContain(areas.Keys, k => k.StartsWith("__", StringComparison.Ordinal));
    }
}
