using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.AccessCodes;

/// <summary>
/// GET /api/access-codes/{code} is cached 5 s in each instance's memory; a claim, an end or a cleanup on one
/// instance reaches the other instances' memory through the tag broadcast (Redis pub/sub), so a read there
/// shows the change, and a claim there is no longer refused from a cached "full", long before the entry
/// would have expired by itself.
/// </summary>
public sealed class CacheBroadcastTests(CacheBroadcastTests.TwoInstancesApiFactory api)
    : IClassFixture<CacheBroadcastTests.TwoInstancesApiFactory>
{
    /// <summary>The in-process API and a second API process of the same deployment (same database, Redis and channel).</summary>
    public sealed class TwoInstancesApiFactory : CapacityApiFactory, IAsyncLifetime
    {
        public ApiProcess Second { get; private set; } = null!;

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            Second = await StartSecondInstanceAsync();
        }

        public new async Task DisposeAsync()
        {
            try
            {
                if (Second is not null)
                {
                    await Second.DisposeAsync();
                }
            }
            finally
            {
                await base.DisposeAsync();
            }
        }
    }

    /// <summary>How soon the other instance must show a change: well under the entry's 5 s.</summary>
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A fresh value seen less than this after the reader started caching its entry cannot be the entry's own
    /// expiry (5 s); seen later, the attempt proves nothing and is run again with a new code.
    /// </summary>
    private static readonly TimeSpan Conclusive = TimeSpan.FromSeconds(4.5);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private sealed record Seen(int UsageCount, int MaxUsageCount);

    [Fact]
    public async Task Second_instance_shows_a_claim_made_on_the_first_within_2_s_though_it_cached_the_code_for_5_s() =>
        await AssertChangeReachesAsync(
            reader: api.Second.Client,
            codes: 1,
            seatsBefore: 0,
            change: async (codes, _) => await ClaimAsync(api.Client, codes[0]),
            usageAfter: 1);

    [Fact]
    public async Task Second_instance_shows_an_end_made_on_the_first_within_2_s_though_it_cached_the_code_for_5_s() =>
        await AssertChangeReachesAsync(
            reader: api.Second.Client,
            codes: 1,
            seatsBefore: 1,
            change: async (_, sessions) =>
            {
                using var ended = await api.Client.PostAsync($"/api/sessions/{sessions[0]}/end", null);
                Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
                Assert.True((await ended.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("released").GetBoolean());
            },
            usageAfter: 0);

    [Fact]
    public async Task First_instance_shows_a_claim_made_on_the_second_within_2_s_though_it_cached_the_code_for_5_s() =>
        await AssertChangeReachesAsync(
            reader: api.Client,
            codes: 1,
            seatsBefore: 0,
            change: async (codes, _) => await ClaimAsync(api.Second.Client, codes[0]),
            usageAfter: 1);

    [Fact]
    public async Task Second_instance_shows_a_cleanup_on_the_first_for_every_code_it_freed_within_2_s() =>
        await AssertChangeReachesAsync(
            reader: api.Second.Client,
            codes: 3,
            seatsBefore: 1,
            change: async (_, sessions) =>
            {
                // Idle behind the API's back (no invalidation); the cleanup through the API then frees them.
                await api.ScalarAsync<int>(
                    "WITH aged AS (UPDATE sessions SET last_activity = now() - interval '2 hours' WHERE id = ANY($1) RETURNING 1) SELECT count(*)::int FROM aged",
                    sessions);
                using var cleanup = await api.AdminClient.PostAsJsonAsync("/api/admin/sessions/cleanup", new { idleMinutes = 30 });
                Assert.Equal(HttpStatusCode.OK, cleanup.StatusCode);
            },
            usageAfter: 0);

    [Fact]
    public async Task Second_instance_grants_a_seat_freed_on_the_first_within_2_s_though_it_cached_the_code_as_full() =>
        await UntilConclusiveAsync(async () =>
        {
            var second = api.Second.Client;
            var code = await CreateCodeAsync(second, maxUsageCount: 1);
            var session = await ClaimAsync(second, code);

            // The second instance caches the code full; from then on its claims are refused from that entry.
            var sinceCached = Stopwatch.StartNew();
            Assert.All(await ReadAllAsync(second, [code]), seen => Assert.Equal(new Seen(1, 1), seen));

            // Proof that the refusal comes from the cache: with the seat free in the database, still 409.
            await api.ScalarAsync<int>("UPDATE access_codes SET usage_count = 0 WHERE code = $1 RETURNING 0", code);
            var refused = await ClaimOutcome.ClaimAsync(second, code);
            await api.ScalarAsync<int>("UPDATE access_codes SET usage_count = 1 WHERE code = $1 RETURNING 0", code);
            if (sinceCached.Elapsed >= Conclusive)
            {
                return false;
            }

            Assert.Equal((HttpStatusCode.Conflict, ClaimOutcome.Full), (refused.Status, refused.ProblemType));

            using (var ended = await api.Client.PostAsync($"/api/sessions/{session}/end", null))
            {
                Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
            }

            // Each refused claim changes nothing; the first one after the broadcast goes to the database.
            var sinceChange = Stopwatch.StartNew();
            var claim = await ClaimOutcome.ClaimAsync(second, code);
            while (!claim.Granted && claim.ProblemType == ClaimOutcome.Full && sinceChange.Elapsed < Freshness)
            {
                await Task.Delay(PollInterval);
                claim = await ClaimOutcome.ClaimAsync(second, code);
            }

            Assert.True(
                claim.Granted,
                $"The second instance still answered {(int)claim.Status} {claim.ProblemType} {sinceChange.Elapsed.TotalMilliseconds:0} ms after the seat was freed.");
            var usage = await CodeUsage.ReadAsync(api.ConnectionString, [code]);
            Assert.Equal(new CodeUsage(code, 1, 1, 1), usage[code]);
            return sinceCached.Elapsed < Conclusive;
        });

    /// <summary>
    /// Asserts that the reader shows a change made through the writer within <see cref="Freshness"/>, while its
    /// cached entries would have kept the old values for 5 s.
    /// </summary>
    private Task AssertChangeReachesAsync(
        HttpClient reader, int codes, int seatsBefore, Func<string[], Guid[], Task> change, int usageAfter) =>
        UntilConclusiveAsync(() => TryOnceAsync(reader, codes, seatsBefore, change, usageAfter));

    /// <summary>Runs an attempt again (with new codes) when a busy machine stretched it past <see cref="Conclusive"/>.</summary>
    private static async Task UntilConclusiveAsync(Func<Task<bool>> attempt)
    {
        for (var i = 1; i <= 3; i++)
        {
            if (await attempt())
            {
                return;
            }
        }

        Assert.Fail($"Three attempts each took longer than {Conclusive.TotalSeconds} s: the machine was too busy to tell a broadcast from an expiry.");
    }

    /// <summary>
    /// The reader caches new codes; a change made outside the API stays invisible there (so it serves from its
    /// cache); then <paramref name="change"/> goes through the writer, and the reader must show its usage within
    /// <see cref="Freshness"/>. True when that happened before the reader's entries could have expired by themselves.
    /// </summary>
    private async Task<bool> TryOnceAsync(
        HttpClient reader, int count, int seatsBefore, Func<string[], Guid[], Task> change, int usageAfter)
    {
        // Everything before the reader caches the codes happens on the reader itself, so no broadcast of it is
        // still on its way to the reader when it caches them (an instance skips its own messages).
        var codes = new string[count];
        var sessions = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            codes[i] = await CreateCodeAsync(reader, maxUsageCount: 5);
            for (var seat = 0; seat < seatsBefore; seat++)
            {
                sessions.Add(await ClaimAsync(reader, codes[i]));
            }
        }

        // The reader caches its entries after this point: they live at least until the watch reads 5 s.
        var sinceCached = Stopwatch.StartNew();
        Assert.All(await ReadAllAsync(reader, codes), seen => Assert.Equal(new Seen(seatsBefore, 5), seen));

        await api.ScalarAsync<int>("UPDATE access_codes SET max_usage_count = 6 WHERE code = ANY($1) RETURNING 1", (object)codes);
        var cached = await ReadAllAsync(reader, codes);
        if (sinceCached.Elapsed >= Conclusive)
        {
            return false;
        }

        Assert.All(cached, seen => Assert.Equal(new Seen(seatsBefore, 5), seen));

        await change(codes, [.. sessions]);

        var sinceChange = Stopwatch.StartNew();
        var expected = new Seen(usageAfter, 6);
        var last = await ReadAllAsync(reader, codes);
        while (last.Any(seen => seen != expected) && sinceChange.Elapsed < Freshness)
        {
            // Pacing of the poll, not a wait for time to pass: each read asks the reader again.
            await Task.Delay(PollInterval);
            last = await ReadAllAsync(reader, codes);
        }

        Assert.True(
            last.All(seen => seen == expected),
            $"The reader still showed {string.Join(", ", last)} {sinceChange.Elapsed.TotalMilliseconds:0} ms after the change; expected {expected}.");
        return sinceCached.Elapsed < Conclusive;
    }

    private static async Task<string> CreateCodeAsync(HttpClient instance, int maxUsageCount)
    {
        var code = "T-" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/access-codes")
        {
            Content = JsonContent.Create(new { code, type = "bulk", maxUsageCount }),
        };
        request.Headers.Add("X-Api-Key", CapacityApiFactory.AdminKey);
        using var response = await instance.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return code;
    }

    private static async Task<Guid> ClaimAsync(HttpClient instance, string code)
    {
        var claim = await ClaimOutcome.ClaimAsync(instance, code);
        Assert.True(claim.Granted, $"{code}: {(int)claim.Status} {claim.ProblemType}");
        return claim.SessionId!.Value;
    }

    private static async Task<Seen[]> ReadAllAsync(HttpClient instance, string[] codes)
    {
        var seen = new Seen[codes.Length];
        for (var i = 0; i < codes.Length; i++)
        {
            var body = await instance.GetFromJsonAsync<JsonElement>($"/api/access-codes/{codes[i]}");
            seen[i] = new Seen(body.GetProperty("usageCount").GetInt32(), body.GetProperty("maxUsageCount").GetInt32());
        }

        return seen;
    }
}
