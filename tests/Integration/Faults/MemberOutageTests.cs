using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.Application.Members;
using Capacity.IntegrationTests.Fixtures;
using Capacity.IntegrationTests.Members;
using Xunit.Abstractions;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.IntegrationTests.Faults;

/// <summary>
/// PostgreSQL of the fault instance stops under member lookups: a member read before the outage is still answered,
/// marked stale with its age, even once its entry is due for a refresh; an uncached member and a write fail fast with
/// 503; /health says degraded with the circuit; readiness keeps the instance in rotation; fresh data returns after.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class MemberOutageTests(FaultFixture fault, ITestOutputHelper output) : IAsyncLifetime
{
    public Task InitializeAsync() => fault.WaitUntilServingAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Cached_members_are_served_stale_and_marked_while_the_rest_fails_fast_and_fresh_data_returns()
    {
        var reader = await fault.ReaderClientAsync();
        var cached = (await fault.CreateMemberAsync()).GetProperty("memberId").GetGuid();
        var uncached = (await fault.CreateMemberAsync()).GetProperty("memberId").GetGuid();
        // Registration writes the lookups through: forgotten here, so one member is read from the database and one never.
        await fault.Cache.RemoveAsync(MemberCache.MemberKey(cached));
        await fault.Cache.RemoveAsync(MemberCache.MemberKey(uncached));
        Assert.Equal("miss", await ServedAsync(reader, cached));
        Assert.Equal("hit", await ServedAsync(reader, cached));

        await using (var outage = await fault.StopAsync(FaultService.Postgres))
        {
            // Due for a refresh: the refresh fails, fail-safe answers the last value, and the answer says so.
            await fault.Cache.ExpireAsync(MemberCache.MemberKey(cached));
            var stale = await reader.GetAsync($"/api/members/{cached}");
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
            Assert.Equal("stale", stale.Headers.GetValues("X-Cache").Single());
            Assert.True(stale.Headers.Age is { } age && age >= TimeSpan.Zero, "a stale answer carries Age");
            Assert.Equal(cached, JsonDocument.Parse(await stale.Content.ReadAsStringAsync()).RootElement.GetProperty("memberId").GetGuid());

            var watch = Stopwatch.StartNew();
            var missing = await reader.GetAsync($"/api/members/{uncached}");
            var elapsed = watch.Elapsed;
            await Problems.AssertAsync(missing, HttpStatusCode.ServiceUnavailable, "database-unavailable");
            Assert.NotNull(missing.Headers.RetryAfter);
            Assert.True(elapsed < FaultFixture.ClaimDeadline, $"an uncached member failed after {elapsed.TotalMilliseconds:0} ms");

            var write = await fault.AdminClient.PutAsJsonAsync($"/api/admin/members/{cached}", new
            {
                firstName = "A", surname = "B", status = "active", expiresAt = DateTimeOffset.UtcNow.AddYears(1),
            });
            Assert.Equal(HttpStatusCode.ServiceUnavailable, write.StatusCode);

            var health = await fault.HealthAsync();
            Assert.Equal((HttpStatusCode.OK, "Degraded", "Unhealthy"), (health.Status, health.Overall, health.Database));
            Assert.Equal(new FaultFixture.Probe(HttpStatusCode.OK, "Degraded"), await fault.ProbeAsync("/health/ready"));

            // Still served, still marked, for as long as the outage lasts (within the fail-safe maximum).
            Assert.Equal("stale", await ServedAsync(reader, cached));
            await outage.EndAsync();
        }

        // Fresh data flows again without a restart: the uncached member is read, the cached one refreshed.
        await Poll.UntilAsync(
            async () => (await reader.GetAsync($"/api/members/{uncached}")).StatusCode, s => s == HttpStatusCode.OK, "the uncached member to be read");
        await Poll.UntilAsync(() => ServedAsync(reader, cached), s => s != "stale", "the cached member to be fresh again");
    }

    [Fact]
    public async Task An_update_made_just_before_the_outage_is_what_lookups_answer_during_and_after_it()
    {
        var reader = await fault.ReaderClientAsync();
        var created = await fault.CreateMemberAsync(new { surname = "Before" });
        var memberId = created.GetProperty("memberId").GetGuid();
        var idNumber = created.GetProperty("idNumber").GetString()!;
        Assert.Equal("Before", (await LookupAsync(reader, $"/api/members/{memberId}")).Surname);
        Assert.Equal("Before", (await LookupAsync(reader, $"/api/members/by-id-number/{idNumber}")).Surname);
        Assert.Equal("active", await CardStatusAsync(reader, memberId));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/members/{memberId}/card.png")).StatusCode);

        var update = await fault.AdminClient.PutAsJsonAsync($"/api/admin/members/{memberId}", new
        {
            firstName = "Lindiwe", surname = "After", status = "suspended", expiresAt = DateTimeOffset.UtcNow.AddYears(1),
        });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);

        await using (var outage = await fault.StopAsync(FaultService.Postgres))
        {
            // Expired entries would be fail-safe's fallback and answer "Before"; the update wrote the lookups instead.
            Assert.Equal(new Lookup("After", "suspended", "hit"), await LookupAsync(reader, $"/api/members/{memberId}"));
            Assert.Equal(new Lookup("After", "suspended", "hit"), await LookupAsync(reader, $"/api/members/by-id-number/{idNumber}"));

            // The update removed the card; it is issued again from the member the update wrote, database or not.
            Assert.Equal("suspended", await CardStatusAsync(reader, memberId));
            var image = await reader.GetAsync($"/api/members/{memberId}/card.png");
            Assert.Equal((HttpStatusCode.OK, "miss"), (image.StatusCode, image.Headers.GetValues("X-Cache").Single()));
            await outage.EndAsync();
        }

        // After the outage, and once the entries are due again: the database's answer is the same.
        Assert.Equal(new Lookup("After", "suspended", "hit"), await LookupAsync(reader, $"/api/members/{memberId}"));
        await fault.Cache.ExpireAsync(MemberCache.MemberKey(memberId));
        var reread = await Poll.UntilAsync(
            () => LookupAsync(reader, $"/api/members/{memberId}"), l => l.Served != "stale", "the member to be read from the database again");
        Assert.Equal(new Lookup("After", "suspended", "miss"), reread);
    }

    [Fact]
    public async Task Under_a_steady_stream_of_lookups_cached_members_are_always_answered_and_the_rest_503_until_fresh_data_flows()
    {
        var reader = await fault.ReaderClientAsync();
        var cached = new List<Guid>();
        for (var i = 0; i < 8; i++)
        {
            cached.Add((await fault.CreateMemberAsync()).GetProperty("memberId").GetGuid());
        }

        var phase = (int)Phase.Before;
        var outcomes = new System.Collections.Concurrent.ConcurrentQueue<Outcome>();
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, 4).Select(async worker =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                // One lookup in four is of a member no cache holds (an id never registered: the database must answer).
                var isCached = (i + worker) % 4 != 0;
                var id = isCached ? cached[i % cached.Count] : Guid.CreateVersion7();
                var seenIn = (Phase)Volatile.Read(ref phase);
                var watch = Stopwatch.StartNew();
                using var response = await reader.GetAsync($"/api/members/{id}", CancellationToken.None);
                var elapsed = watch.Elapsed;
                var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
                outcomes.Enqueue(new Outcome(
                    seenIn, (Phase)Volatile.Read(ref phase), isCached, (int)response.StatusCode, response.Headers.RetryAfter is not null, elapsed, ProblemType(body)));
            }
        }).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(1));
        Stopwatch sinceRestart;
        Volatile.Write(ref phase, (int)Phase.Stopping);
        await using (var outage = await fault.StopAsync(FaultService.Postgres))
        {
            await Poll.UntilAsync(fault.HealthAsync, h => h.Circuit == "Open", "the breaker to open");
            Volatile.Write(ref phase, (int)Phase.BreakerOpen);
            await Task.Delay(TimeSpan.FromSeconds(3));
            await outage.EndAsync();
            sinceRestart = Stopwatch.StartNew();
        }

        Volatile.Write(ref phase, (int)Phase.After);
        await Poll.UntilAsync(
            async () => (await reader.GetAsync($"/api/members/{Guid.CreateVersion7()}")).StatusCode,
            s => s == HttpStatusCode.NotFound, "an uncached lookup to be answered from the database again");
        var recovery = sinceRestart.Elapsed;
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        await stop.CancelAsync();
        await Task.WhenAll(workers);

        var all = outcomes.ToArray();
        Assert.All(all.Where(o => o.Cached), o => Assert.Equal(200, o.Status));
        Assert.All(all.Where(o => !o.Cached), o => Assert.True(
            o.Status == 404 || (o.Status == 503 && o.RetryAfter && o.Problem == "database-unavailable"),
            $"an uncached lookup answered {o.Status} {o.Problem} (Retry-After: {o.RetryAfter})"));
        Assert.All(all.Where(o => o is { Cached: false, Answered: Phase.Before }), o => Assert.Equal(404, o.Status));
        var refused = all.Where(o => o is { Cached: false, Sent: Phase.BreakerOpen, Answered: Phase.BreakerOpen }).ToArray();
        Assert.NotEmpty(refused);
        Assert.All(refused, o => Assert.Equal(503, o.Status));
        Assert.True(all.Count(o => o is { Cached: true, Sent: Phase.BreakerOpen }) > 50, "cached lookups ran through the outage");

        // Issue 14: fresh data within the break duration plus one probe (the probe may wait for a connection).
        Assert.True(recovery < FaultFixture.BreakDuration + FaultFixture.ClaimDeadline, $"fresh data returned {recovery.TotalMilliseconds:0} ms after the restart");
        var times = refused.Select(o => o.Elapsed.TotalMilliseconds).Order().ToArray();
        output.WriteLine(
            $"{all.Length} lookups; with the breaker open {refused.Length} uncached answered 503 in p50 {times[times.Length / 2]:0.0} ms, " +
            $"p99 {times[(int)Math.Min(times.Length - 1, Math.Ceiling(times.Length * 0.99) - 1)]:0.0} ms, max {times[^1]:0.0} ms; " +
            $"fresh data {recovery.TotalMilliseconds:0} ms after the restart");
    }

    private enum Phase
    {
        Before,
        Stopping,
        BreakerOpen,
        After,
    }

    /// <param name="Sent">What the test was doing when the lookup was sent.</param>
    /// <param name="Answered">What it was doing when the answer arrived.</param>
    private sealed record Outcome(Phase Sent, Phase Answered, bool Cached, int Status, bool RetryAfter, TimeSpan Elapsed, string? Problem);

    private static string? ProblemType(string body)
    {
        if (!body.StartsWith('{'))
        {
            return null;
        }

        using var json = JsonDocument.Parse(body);
        return json.RootElement.TryGetProperty("type", out var type) ? type.GetString()?.Split(':')[^1] : null;
    }

    private sealed record Lookup(string Surname, string Status, string Served);

    private static async Task<string> CardStatusAsync(HttpClient reader, Guid memberId)
    {
        var response = await reader.PostAsync($"/api/members/{memberId}/card", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString()!;
    }

    private static async Task<Lookup> LookupAsync(HttpClient reader, string path)
    {
        var response = await reader.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var member = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return new Lookup(
            member.GetProperty("surname").GetString()!, member.GetProperty("status").GetString()!, response.Headers.GetValues("X-Cache").Single());
    }

    private static async Task<string> ServedAsync(HttpClient reader, Guid memberId)
    {
        var response = await reader.GetAsync($"/api/members/{memberId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("X-Cache").Single();
    }
}
