using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.Domain.Clients;
using Capacity.IntegrationTests.Clients;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Coupons;

/// <summary>The API with a validation log that flushes every 100 ms (the seed's 5 s would only slow the tests).</summary>
public sealed class FastFlushApiFactory : CapacityApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ValidationLog:FlushInterval"] = "00:00:00.100",
    };
}

/// <summary>
/// Every validation is logged once: after a flush, through a graceful shutdown (which writes out the queue), and through
/// kill -9 (the journal, replayed at the next start, loses at most its last group-sync interval).
/// </summary>
public sealed class ValidationLogTests(FastFlushApiFactory api) : IClassFixture<FastFlushApiFactory>, IAsyncLifetime
{
    private HttpClient _shop = null!;

    public async Task InitializeAsync() => _shop = await api.ShopClientAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Each_validation_is_one_row_with_what_was_asked_and_answered()
    {
        var code = await api.CreateCouponAsync(new { minOrderValue = 50m });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/coupons/validate")
        {
            Content = JsonContent.Create(new { code, userId = "u-log", orderId = "o-log", orderValue = 20m }),
        };
        request.Headers.UserAgent.ParseAdd("shop-backend/1.0");
        Assert.Equal(HttpStatusCode.OK, (await _shop.SendAsync(request)).StatusCode);
        await _shop.ValidateAsync(code, "u-log", 80m);

        var rows = await WaitForRowsAsync(code, 2);

        Assert.Equal(2, rows);
        var invalid = await api.ScalarAsync<string>(
            """
            SELECT concat_ws('|', user_id, order_id, order_value, is_valid, validation_reason, discount_applied, final_amount,
                             user_agent, response_time_ms > 0, coupon_id IS NOT NULL)
            FROM validation_logs WHERE coupon_code = $1 AND NOT is_valid
            """, code);
        Assert.Equal("u-log|o-log|20.00|f|min_order_not_met|0.00|20.00|shop-backend/1.0|t|t", invalid);
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM validation_logs WHERE coupon_code = $1 AND is_valid AND discount_applied = 8.00", code));
    }

    [Fact]
    public async Task Stats_count_validations_by_outcome_and_reason_and_the_redemptions()
    {
        var code = await api.CreateCouponAsync(new { perUserLimit = 1 });
        Assert.Equal(HttpStatusCode.Created, (await _shop.RedeemAsync(code, "u-1", "o-1", 10m)).StatusCode);
        await _shop.ValidateAsync(code, "u-2", 10m);
        await _shop.ValidateAsync(code, "u-3", 10m);
        await _shop.ValidateAsync(code, "u-1", 10m);
        await _shop.ValidateAsync(code, "u-4", 10m, "o-1");
        await WaitForRowsAsync(code, 4);

        var stats = JsonDocument.Parse(await api.AdminClient.GetStringAsync($"/api/admin/coupons/{code}/stats")).RootElement;

        Assert.Equal(4, stats.GetProperty("validations").GetInt64());
        Assert.Equal(2, stats.GetProperty("valid").GetInt64());
        Assert.Equal(0.5, stats.GetProperty("validRate").GetDouble());
        Assert.Equal(1, stats.GetProperty("byReason").GetProperty("user_limit_reached").GetInt64());
        Assert.Equal(1, stats.GetProperty("byReason").GetProperty("order_already_used").GetInt64());
        Assert.True(stats.GetProperty("avgResponseMs").GetDouble() > 0, stats.GetRawText());
        Assert.True(stats.GetProperty("p95ResponseMs").GetDouble() > 0, stats.GetRawText());
        Assert.Equal(1, stats.GetProperty("redemptions").GetInt32());
        await Problems.AssertAsync(await api.AdminClient.GetAsync("/api/admin/coupons/NOPE-NOPE/stats"), HttpStatusCode.NotFound, "coupon-not-found");
    }

    [Fact]
    public async Task Recent_validations_page_newest_first_by_cursor_without_gaps_or_repeats()
    {
        var code = await api.CreateCouponAsync();
        for (var i = 0; i < 7; i++)
        {
            await _shop.ValidateAsync(code, $"u-{i}", 10m);
        }

        await WaitForRowsAsync(code, 7);
        var seen = new List<(DateTimeOffset At, Guid Id)>();
        string? after = null;
        do
        {
            var page = JsonDocument.Parse(await api.AdminClient.GetStringAsync($"/api/admin/validations?limit=3{(after is null ? "" : "&after=" + after)}")).RootElement;
            seen.AddRange(page.GetProperty("data").EnumerateArray().Select(r => (r.GetProperty("validatedAt").GetDateTimeOffset(), r.GetProperty("id").GetGuid())));
            after = page.GetProperty("next").GetString();
        }
        while (after is not null);

        var total = await api.ScalarAsync<long>("SELECT count(*) FROM validation_logs");
        Assert.Equal(total, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Equal(seen.OrderByDescending(s => s.At).ThenByDescending(s => s.Id), seen);
        await Problems.AssertAsync(await api.AdminClient.GetAsync("/api/admin/validations?after=nope"), HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task Health_shows_the_validation_log()
    {
        var health = JsonDocument.Parse(await api.Client.GetStringAsync("/health")).RootElement.GetProperty("validationLog");

        Assert.True(health.TryGetProperty("queued", out _));
        Assert.True(health.TryGetProperty("journalBytes", out _));
        Assert.True(health.TryGetProperty("oldestUnflushedSeconds", out _));
    }

    [Fact]
    public async Task A_graceful_shutdown_writes_out_rows_that_were_only_queued()
    {
        var code = await api.CreateCouponAsync();
        var journal = Path.Combine(Path.GetTempPath(), "capacity-tests", "graceful-" + Guid.NewGuid().ToString("N"));
        await using var instance = await StartInstanceAsync(journal, flushInterval: "00:10:00");
        var shop = await ShopAsync(instance);

        for (var i = 0; i < 25; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await shop.PostAsJsonAsync("/api/coupons/validate", new { code, userId = $"u-{i}", orderValue = 10m })).StatusCode);
        }

        Assert.Equal(0L, await CountAsync(code));
        await instance.StopGracefullyAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(25L, await CountAsync(code));
        Assert.Empty(Directory.GetFiles(journal, "journal-*"));
    }

    [Fact]
    public async Task After_kill_9_the_next_start_replays_the_journal_and_loses_at_most_the_last_sync_interval()
    {
        var code = await api.CreateCouponAsync();
        var journal = Path.Combine(Path.GetTempPath(), "capacity-tests", "killed-" + Guid.NewGuid().ToString("N"));
        var answeredAt = new System.Collections.Concurrent.ConcurrentQueue<long>();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        long killedAt;
        await using (var instance = await StartInstanceAsync(journal, flushInterval: "00:10:00", batchSize: 100_000))
        {
            var shop = await ShopAsync(instance);
            using var traffic = new CancellationTokenSource();
            var senders = Enumerable.Range(0, 8).Select(s => Task.Run(async () =>
            {
                for (var i = 0; !traffic.IsCancellationRequested; i++)
                {
                    try
                    {
                        var response = await shop.PostAsJsonAsync("/api/coupons/validate", new { code, userId = $"u-{s}-{i}", orderValue = 10m }, traffic.Token);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            answeredAt.Enqueue(clock.ElapsedMilliseconds);
                        }
                        else
                        {
                            failures.Enqueue($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                        }
                    }
                    catch (Exception) when (traffic.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (HttpRequestException e)
                    {
                        // The process was killed under this request.
                        failures.Enqueue(e.ToString()[..Math.Min(600, e.ToString().Length)]);
                        return;
                    }
                }
            })).ToList();

            // Traffic until a few hundred answers (bounded in time), then the kill lands under it.
            var until = DateTime.UtcNow.AddSeconds(20);
            while (answeredAt.Count < 300 && DateTime.UtcNow < until)
            {
                await Task.Delay(20);
            }

            // The traffic goes on; the kill lands later than the sync window after those answers, so they count as
            // synced however fast they came (under a busy full test run they can come in one burst).
            await Task.Delay(600);
            killedAt = clock.ElapsedMilliseconds;
            await instance.KillAsync();
            await traffic.CancelAsync();
            await Task.WhenAll(senders);
        }

        Assert.Equal(0L, await CountAsync(code));
        Assert.NotEmpty(Directory.GetFiles(journal, "journal-*"));

        // The next process on the same journal replays it.
        await using (var next = await StartInstanceAsync(journal, flushInterval: "00:00:00.100"))
        {
            var syncedBeforeKill = answeredAt.Count(t => t <= killedAt - 300);
            var stored = await PollAsync(() => CountAsync(code), n => n >= syncedBeforeKill);
            Assert.InRange(stored, syncedBeforeKill, answeredAt.Count + 8);
            Assert.True(syncedBeforeKill > 50, $"only {syncedBeforeKill} validations were answered before the kill: {string.Join("; ", failures.Take(2))}");
        }
    }

    private async Task<ApiProcess> StartInstanceAsync(string journal, string flushInterval, int batchSize = 100) =>
        await ApiProcess.StartAsync(ApiProcess.FreeLoopbackPort(), new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = api.ConnectionString,
            ["ConnectionStrings:Redis"] = api.RedisConnectionString ?? "",
            ["Caching:KeyPrefix"] = api.CacheKeyPrefix,
            ["Security:AdminApiKey"] = CapacityApiFactory.AdminKey,
            ["Cleanup:Enabled"] = "false",
            ["ValidationLog:JournalDirectory"] = journal,
            ["ValidationLog:FlushInterval"] = flushInterval,
            ["ValidationLog:BatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    private async Task<HttpClient> ShopAsync(ApiProcess instance)
    {
        var shop = await api.CreateClientAsync(ClientScopes.Coupons);
        instance.Client.DefaultRequestHeaders.Add("X-Api-Key", shop.Key);
        return instance.Client;
    }

    private Task<long> CountAsync(string code) =>
        api.ScalarAsync<long>("SELECT count(*) FROM validation_logs WHERE coupon_code = $1", code);

    private async Task<long> WaitForRowsAsync(string code, long expected) => await PollAsync(() => CountAsync(code), n => n >= expected);

    private static async Task<T> PollAsync<T>(Func<Task<T>> probe, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var value = await probe();
            if (done(value) || DateTime.UtcNow > deadline)
            {
                return value;
            }

            await Task.Delay(50);
        }
    }
}
