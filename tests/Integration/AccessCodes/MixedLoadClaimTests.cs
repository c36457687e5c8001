using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;
using Xunit.Abstractions;

namespace Capacity.IntegrationTests.AccessCodes;

/// <summary>
/// The Artillery run of issue 10 as a test: on a nearly full code, virtual users claim seats with and without a
/// client reference (sometimes the same reference twice at once, sometimes a retry of a reference that already
/// holds a seat), heartbeat and end their sessions, while idle cleanups end sessions made idle on purpose.
/// Every claim is decided beside releases of the same code row. Not one answer may be a 5xx, and the seats must
/// add up exactly: the counter equals the open sessions, and every seat granted was freed exactly once (by its
/// end or by the cleanup) or is still held.
/// </summary>
public sealed class MixedLoadClaimTests(MixedLoadClaimTests.MixedLoadApiFactory api, ITestOutputHelper output)
    : IClassFixture<MixedLoadClaimTests.MixedLoadApiFactory>
{
    /// <summary>
    /// The API with a claim deadline far longer than the run, so that on a busy machine no claim is answered
    /// busy (503) for waiting: every 5xx left is a failure. The periodic cleanup is off: the test calls the
    /// cleanup route itself and must account for every seat it frees.
    /// </summary>
    public sealed class MixedLoadApiFactory : CapacityApiFactory
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Claims:Deadline"] = "00:02:00",
            ["Cleanup:Enabled"] = "false",
        };
    }

    private const int Seats = 20;
    private const int PrefilledAnonymous = 9;
    private const int PrefilledWithReference = 9;
    private const int Users = 24;
    private const int IterationsPerUser = 70;
    private const int CleanupRounds = 6;
    private const int IdleMinutes = 30;

    // A correctness test, not a timing one: generous for a busy 2-core machine running other test classes.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(100);

    private readonly ConcurrentQueue<(string Route, HttpStatusCode Status)> _answers = new();
    private readonly ConcurrentQueue<string> _unexpected = new();

    // Sessions the test holds (prefilled or granted to a user) and may age for the cleanup; sessions it aged.
    private readonly ConcurrentDictionary<Guid, bool> _agable = new();
    private readonly ConcurrentDictionary<Guid, bool> _aged = new();

    private readonly ConcurrentDictionary<Guid, bool> _granted = new();
    private readonly ConcurrentDictionary<Guid, bool> _releasedByEnd = new();
    private readonly ConcurrentQueue<CleanupAnswer> _cleanups = new();

    private sealed record CleanupByCode(string Code, int SessionsEnded, int SeatsReleased);

    private sealed record CleanupAnswer(int SessionsEnded, int SeatsReleased, List<CleanupByCode> ByCode);

    private sealed record Ended(bool Released, int UsageCount, string Code);

    private sealed record Claim(string? ClientRef, HttpStatusCode Status, Guid? SessionId, int? UsageCount, string? ProblemType)
    {
        public bool Granted => Status == HttpStatusCode.Created;

        public bool Resumed => Status == HttpStatusCode.OK;

        public override string ToString() => $"{(int)Status} {SessionId} {ProblemType} (clientRef {ClientRef ?? "none"})";
    }

    [Fact]
    public async Task Claims_heartbeats_ends_and_cleanups_on_a_nearly_full_code_answer_no_5xx_and_every_seat_adds_up()
    {
        var code = await api.CreateCodeAsync(maxUsageCount: Seats);

        // Nearly full: 18 of 20 seats held. The sessions of the prefilled references stay open all along (they
        // are never aged), so a retry of one of them must always get that very session back.
        var prefilledByReference = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var prefilled = new List<Guid>();
        for (var i = 0; i < PrefilledAnonymous + PrefilledWithReference; i++)
        {
            var clientRef = i < PrefilledAnonymous ? null : $"pre-{i}-{Guid.NewGuid():N}";
            var claim = await ClaimAsync(code, clientRef);
            Assert.True(claim.Granted, $"prefill claim {i}: {claim}");
            var session = claim.SessionId!.Value;
            Assert.True(_granted.TryAdd(session, true));
            prefilled.Add(session);
            if (clientRef is null)
            {
                _agable[session] = true;
            }
            else
            {
                prefilledByReference[clientRef] = session;
            }
        }

        var prefilledReferences = prefilledByReference.Keys.ToArray();
        var clock = Stopwatch.StartNew();
        var iterationsDone = 0;
        var users = Task.WhenAll(Enumerable.Range(0, Users).Select(user => Task.Run(async () =>
        {
            var random = new Random(HashCode.Combine(user, Environment.TickCount));
            for (var iteration = 0; iteration < IterationsPerUser; iteration++)
            {
                await IterationAsync(code, random, prefilledByReference, prefilledReferences);
                Interlocked.Increment(ref iterationsDone);
            }
        })).ToArray());
        var cleaner = Task.Run(async () =>
        {
            var random = new Random(Environment.TickCount);
            const int total = Users * IterationsPerUser;
            for (var round = 1; round <= CleanupRounds; round++)
            {
                // Spread over the run: round r starts once r/(rounds+1) of the iterations are done.
                while (Volatile.Read(ref iterationsDone) < total * round / (CleanupRounds + 1) && !users.IsCompleted)
                {
                    await Task.Delay(5);
                }

                // Every other round makes a few held sessions idle first, so that the cleanup really ends some
                // (and frees their seats) while claims and ends of the same code run.
                if (round % 2 == 1)
                {
                    await AgeAsync(random, 3);
                }

                await CleanupAsync(code);
            }
        });

        var guardBefore = await api.GuardRefusalsAsync();
        var all = Task.WhenAll(users, cleaner);
        var finished = await Task.WhenAny(all, Task.Delay(Bound));
        Assert.True(finished == all, $"The mixed load did not finish within {Bound.TotalSeconds} s ({Volatile.Read(ref iterationsDone)} of {Users * IterationsPerUser} iterations).");
        await all;
        clock.Stop();

        var histogram = Histogram();
        output.WriteLine($"{_answers.Count} requests in {clock.Elapsed.TotalSeconds:F1} s:");
        output.WriteLine(histogram);

        // Not one 5xx, and only the answers each route may give here.
        var serverErrors = _answers.Count(a => (int)a.Status >= 500);
        Assert.True(serverErrors == 0, $"{serverErrors} answers were 5xx:\n{histogram}\n{string.Join("\n", _unexpected.Take(20))}");
        Assert.True(_unexpected.IsEmpty, $"{_unexpected.Count} unexpected answers:\n{string.Join("\n", _unexpected.Take(20))}\nAll answers:\n{histogram}");

        // The seats add up. Every session the test holds was either ended by its holder (released: true once),
        // ended by a cleanup (only sessions the test aged), or is still open (only prefilled ones).
        var usage = (await CodeUsage.ReadAsync(api.ConnectionString, [code]))[code];
        var open = await OpenSessionsAsync(code);
        var grantedIds = _granted.Keys.ToArray();
        Assert.Equal(grantedIds.Length, await api.ScalarAsync<long>(
            "SELECT count(*) FROM sessions s JOIN access_codes a ON a.id = s.code_id WHERE a.code = $1", code));
        Assert.All(open, s => Assert.True(_granted.ContainsKey(s), $"open session {s} was never granted"));
        Assert.All(open, s => Assert.Contains(s, prefilled));
        Assert.All(_releasedByEnd.Keys, s => Assert.DoesNotContain(s, open));

        var endedByCleanup = grantedIds.Except(open).Except(_releasedByEnd.Keys).ToArray();
        Assert.All(endedByCleanup, s => Assert.True(_aged.ContainsKey(s), $"session {s} was ended without being released or aged"));
        var cleanups = _cleanups.ToArray();
        Assert.All(cleanups, c => Assert.All(c.ByCode, b => Assert.Equal(code, b.Code)));
        Assert.All(cleanups, c => Assert.Equal(c.SessionsEnded, c.SeatsReleased));
        var freedByCleanup = cleanups.Sum(c => c.SeatsReleased);
        Assert.Equal(endedByCleanup.Length, cleanups.Sum(c => c.SessionsEnded));
        Assert.Equal(endedByCleanup.Length, freedByCleanup);

        Assert.Equal(open.Count, usage.OpenSessions);
        Assert.Equal(usage.OpenSessions, usage.UsageCount);
        Assert.InRange(usage.UsageCount, 0, Seats);
        Assert.Equal(grantedIds.Length - _releasedByEnd.Count - freedByCleanup, usage.UsageCount);
        Assert.Equal(grantedIds.Length - open.Count, _releasedByEnd.Count + freedByCleanup);

        // The interleaving happened (full answers, seats freed by cleanups), and no claim was saved by a retry:
        // the usage guard never refused a statement (the exporter caches a scrape for a moment, hence the pause).
        Assert.Contains(_answers, a => a.Route == "code-login" && a.Status == HttpStatusCode.Conflict);
        Assert.True(freedByCleanup > 0, "No cleanup freed a seat.");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(guardBefore, await api.GuardRefusalsAsync());
        output.WriteLine(
            $"granted {grantedIds.Length} sessions ({prefilled.Count} prefilled), released by end {_releasedByEnd.Count}, " +
            $"ended by cleanup {freedByCleanup} of {_aged.Count} aged, open {open.Count}, usage_count {usage.UsageCount}");
    }

    /// <summary>
    /// One virtual user's visit: a claim (none, a fresh or a doubled client reference, or a retry of a prefilled
    /// reference), a retry of its own reference now and then, and for each seat it got a heartbeat and an end.
    /// </summary>
    private async Task IterationAsync(
        string code, Random random, IReadOnlyDictionary<string, Guid> prefilledByReference, string[] prefilledReferences)
    {
        var owned = new List<Guid>();
        var kind = random.Next(16);
        if (kind < 8)
        {
            // Half without a client reference.
            Own(await ClaimAsync(code, null), owned);
        }
        else if (kind < 15)
        {
            var clientRef = $"vu-{Guid.NewGuid():N}";
            if (kind < 11)
            {
                // The same reference twice at once (a client retrying before the first answer came).
                var both = await Task.WhenAll(ClaimAsync(code, clientRef), ClaimAsync(code, clientRef));
                CheckTwins(both[0], both[1]);
                foreach (var claim in both)
                {
                    Own(claim, owned);
                }
            }
            else
            {
                var claim = await ClaimAsync(code, clientRef);
                Own(claim, owned);
                if (claim.Granted && random.Next(2) == 0)
                {
                    // A retry after the answer: the open session comes back, never a second seat.
                    await Task.Delay(random.Next(0, 3));
                    var retry = await ClaimAsync(code, clientRef);
                    Expect(retry.Resumed && retry.SessionId == claim.SessionId, $"retry of a held reference: {retry}, first {claim}");
                }
            }
        }
        else
        {
            // A retry of a prefilled reference, whose session stays open: always that session.
            var clientRef = prefilledReferences[random.Next(prefilledReferences.Length)];
            var retry = await ClaimAsync(code, clientRef);
            Expect(retry.Resumed && retry.SessionId == prefilledByReference[clientRef], $"retry of a prefilled reference: {retry}");
        }

        // From here on the cleanup may age these sessions: heartbeats and ends may then find them ended.
        owned.ForEach(s => _agable[s] = true);
        foreach (var session in owned)
        {
            await Task.Delay(random.Next(0, 4));
            await HeartbeatAsync(session);
            await Task.Delay(random.Next(0, 4));
            await EndAsync(session);
            _agable.TryRemove(session, out _);
        }
    }

    /// <summary>Two claims of one fresh reference at once: at most one seat, and a resumed one names it.</summary>
    private void CheckTwins(Claim first, Claim second)
    {
        var granted = new[] { first, second }.Count(c => c.Granted);
        var resumed = new[] { first, second }.Count(c => c.Resumed);
        if (resumed > 0)
        {
            // The resumed claim got the session its reference held: the other one's, granted just before.
            Expect(granted == 1 && resumed == 1 && first.SessionId == second.SessionId, $"doubled reference: {first} / {second}");
        }
        else
        {
            // Both full, or one found it full and the other got the seat a release freed in between.
            Expect(granted <= 1, $"doubled reference got two seats: {first} / {second}");
        }
    }

    private void Own(Claim claim, List<Guid> owned)
    {
        if (claim.Granted)
        {
            Expect(_granted.TryAdd(claim.SessionId!.Value, true), $"session granted twice: {claim}");
            owned.Add(claim.SessionId!.Value);
        }
    }

    private async Task<Claim> ClaimAsync(string code, string? clientRef)
    {
        using var response = clientRef is null
            ? await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code })
            : await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code, clientRef });
        var text = await response.Content.ReadAsStringAsync();
        Record("code-login", response.StatusCode, text);
        Claim claim;
        if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
        {
            var seat = JsonDocument.Parse(text).RootElement;
            claim = new Claim(clientRef, response.StatusCode, seat.GetProperty("sessionId").GetGuid(), seat.GetProperty("usageCount").GetInt32(), null);
            Expect(claim.UsageCount is >= 1 and <= Seats, $"claim usage out of range: {claim} {text}");
        }
        else
        {
            string? type = null;
            if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
            {
                type = JsonDocument.Parse(text).RootElement.GetProperty("type").GetString();
            }

            claim = new Claim(clientRef, response.StatusCode, null, null, type);
            Expect(
                (int)response.StatusCode >= 500 || (response.StatusCode == HttpStatusCode.Conflict && type == ClaimOutcome.Full),
                $"claim answered {claim}: {text}");
        }

        return claim;
    }

    private async Task HeartbeatAsync(Guid session)
    {
        using var response = await api.Client.PostAsync($"/api/sessions/{session}/heartbeat", null);
        var text = await response.Content.ReadAsStringAsync();
        Record("heartbeat", response.StatusCode, text);
        Expect(
            (int)response.StatusCode >= 500
            || response.StatusCode == HttpStatusCode.NoContent
            || (response.StatusCode == HttpStatusCode.Gone && _aged.ContainsKey(session)),
            $"heartbeat of {session} (aged: {_aged.ContainsKey(session)}) answered {(int)response.StatusCode}: {text}");
    }

    private async Task EndAsync(Guid session)
    {
        using var response = await api.Client.PostAsync($"/api/sessions/{session}/end", null);
        var text = await response.Content.ReadAsStringAsync();
        Record("end", response.StatusCode, text);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Expect((int)response.StatusCode >= 500, $"end of {session} answered {(int)response.StatusCode}: {text}");
            return;
        }

        var ended = JsonSerializer.Deserialize<Ended>(text, JsonSerializerOptions.Web)!;
        Expect(ended.UsageCount is >= 0 and <= Seats, $"end of {session} left usage {ended.UsageCount}: {text}");
        if (ended.Released)
        {
            Expect(_releasedByEnd.TryAdd(session, true), $"session {session} released twice");
        }
        else
        {
            // Only a session the cleanup ended may find itself already ended.
            Expect(_aged.ContainsKey(session), $"end of a session that was not aged released nothing: {text}");
        }
    }

    /// <summary>Makes up to <paramref name="count"/> open sessions the test holds idle for two hours.</summary>
    private async Task AgeAsync(Random random, int count)
    {
        var candidates = _agable.Keys.OrderBy(_ => random.Next()).Take(count).ToArray();
        if (candidates.Length == 0)
        {
            return;
        }

        // Recorded as aged before the UPDATE: a heartbeat or end may find the session ended right after the cleanup.
        foreach (var session in candidates)
        {
            _aged[session] = true;
        }

        await api.ScalarAsync<int>(
            """
            WITH aged AS (
                UPDATE sessions SET last_activity = now() - interval '2 hours' WHERE id = ANY($1) AND ended_at IS NULL RETURNING 1
            )
            SELECT count(*)::int FROM aged
            """,
            candidates);
    }

    private async Task CleanupAsync(string code)
    {
        using var response = await api.AdminClient.PostAsJsonAsync("/api/admin/sessions/cleanup", new { idleMinutes = IdleMinutes });
        var text = await response.Content.ReadAsStringAsync();
        Record("cleanup", response.StatusCode, text);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Expect((int)response.StatusCode >= 500, $"cleanup answered {(int)response.StatusCode}: {text}");
            return;
        }

        var cleanup = JsonSerializer.Deserialize<CleanupAnswer>(text, JsonSerializerOptions.Web)!;
        _cleanups.Enqueue(cleanup);
        Expect(cleanup.ByCode.All(b => b.Code == code), $"cleanup ended sessions of another code: {text}");
    }

    private void Record(string route, HttpStatusCode status, string body)
    {
        _answers.Enqueue((route, status));
        if ((int)status >= 500)
        {
            _unexpected.Enqueue($"{route} answered {(int)status}: {body}");
        }
    }

    private void Expect(bool condition, string message)
    {
        if (!condition)
        {
            _unexpected.Enqueue(message);
        }
    }

    private string Histogram() => string.Join(
        "\n",
        _answers.GroupBy(a => (a.Route, a.Status))
            .OrderBy(g => g.Key.Route, StringComparer.Ordinal).ThenBy(g => (int)g.Key.Status)
            .Select(g => $"  {g.Key.Route} {(int)g.Key.Status} x {g.Count()}"));

    private async Task<HashSet<Guid>> OpenSessionsAsync(string code)
    {
        await using var connection = new Npgsql.NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var read = new Npgsql.NpgsqlCommand(
            "SELECT s.id FROM sessions s JOIN access_codes a ON a.id = s.code_id WHERE a.code = $1 AND s.ended_at IS NULL",
            connection);
        read.Parameters.Add(new Npgsql.NpgsqlParameter { Value = code });
        var open = new HashSet<Guid>();
        await using var reader = await read.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            open.Add(reader.GetGuid(0));
        }

        return open;
    }
}
