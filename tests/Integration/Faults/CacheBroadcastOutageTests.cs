using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.IntegrationTests.AccessCodes;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Faults;

/// <summary>
/// Redis of the fault instance stops while two API instances share it: without Redis no tag broadcast reaches
/// the other instance, whose entries then age out; once Redis is back, the broadcast works again by itself.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class CacheBroadcastOutageTests(FaultFixture fault) : IAsyncLifetime
{
    /// <summary>How soon the other instance must show a change through the broadcast: well under the entry's 5 s.</summary>
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(2);

    /// <summary>Seen later than this after the reader cached it, a fresh value may be the entry's own expiry (5 s).</summary>
    private static readonly TimeSpan Conclusive = TimeSpan.FromSeconds(4.5);

    public Task InitializeAsync() => fault.WaitUntilServingAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Claims_on_one_instance_reach_the_other_through_the_broadcast_again_after_redis_restarts()
    {
        await using var second = await fault.StartSecondInstanceAsync();
        await Poll.UntilAsync(() => BroadcastArrivesAsync(second.Client), arrived => arrived, "a first broadcast to reach the second instance");

        await using (var outage = await fault.StopAsync(FaultService.Redis))
        {
            await Poll.UntilAsync(fault.HealthAsync, h => h.Redis != "Healthy", "/health to see Redis down");

            // Nothing can be broadcast now: the claim still succeeds, and the second instance shows it once its
            // entry has aged out.
            var code = await fault.CreateCodeAsync(maxUsageCount: 5);
            Assert.Equal(0, await UsageOnAsync(second.Client, code));
            var claim = await ClaimOutcome.ClaimAsync(fault.Client, code);
            Assert.True(claim.Granted, $"{(int)claim.Status} {claim.ProblemType}");
            await Poll.UntilAsync(() => UsageOnAsync(second.Client, code), usage => usage == 1, "the second instance's entry to age out");

            await outage.EndAsync();
        }

        await Poll.UntilAsync(fault.HealthAsync, h => h.Redis == "Healthy", "/health of the first instance to see Redis back");
        await Poll.UntilAsync(
            () => FaultFixture.RedisStatusAsync(second.Client), status => status == "Healthy", "/health of the second instance to see Redis back");

        // The subscription is restored and publishing resumes, without a restart of either instance.
        await Poll.UntilAsync(() => BroadcastArrivesAsync(second.Client), arrived => arrived, "a broadcast to reach the second instance after the restart");
    }

    /// <summary>
    /// The second instance caches a new code, the first claims a seat of it, and the second shows the claim within
    /// <see cref="Freshness"/>, before its entry could have expired by itself: then only the broadcast explains it.
    /// </summary>
    private async Task<bool> BroadcastArrivesAsync(HttpClient second)
    {
        var code = "T-" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/access-codes"))
        {
            // Created on the second instance, so no broadcast of the creation is still on its way to it.
            request.Content = JsonContent.Create(new { code, type = "bulk", maxUsageCount = 5 });
            request.Headers.Add("X-Api-Key", CapacityApiFactory.AdminKey);
            using var created = await second.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var sinceCached = Stopwatch.StartNew();
        Assert.Equal(0, await UsageOnAsync(second, code));
        var claim = await ClaimOutcome.ClaimAsync(fault.Client, code);
        Assert.True(claim.Granted, $"{(int)claim.Status} {claim.ProblemType}");

        var sinceClaim = Stopwatch.StartNew();
        while (sinceClaim.Elapsed < Freshness)
        {
            if (await UsageOnAsync(second, code) == 1)
            {
                return sinceCached.Elapsed < Conclusive;
            }

            // Pacing of the poll: each read asks the second instance again.
            await Task.Delay(50);
        }

        return false;
    }

    private static async Task<int> UsageOnAsync(HttpClient instance, string code)
    {
        var body = await instance.GetFromJsonAsync<JsonElement>($"/api/access-codes/{code}");
        return body.GetProperty("usageCount").GetInt32();
    }

}
