using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.AccessCodes;

/// <summary>
/// Claims of different codes share claim transactions (group commit, SKIP LOCKED): every code still grants
/// exactly its seats, whatever else its transaction carried and whatever the other instance does.
/// </summary>
public sealed class GroupedClaimTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    private const string Prefix = "urn:capacity:problem:";

    [Fact]
    public async Task Each_of_40_codes_grants_exactly_its_5_seats_when_1000_claims_spread_over_them_at_once()
    {
        var codes = await CreateCodesAsync(40, maxUsageCount: 5);

        var outcomes = await ClaimOutcome.ClaimAllAsync(
            Enumerable.Range(0, 1000).Select(i => (api.Client, codes[i % codes.Length])));

        ClaimOutcome.AssertEachCodeGrantedExactly(outcomes, codes, seats: 5, claimsPerCode: 25);
        var usage = await CodeUsage.ReadAsync(api.ConnectionString, codes);
        Assert.All(codes, code => Assert.Equal(new CodeUsage(code, 5, 5, 5), usage[code]));

        // The claims did share transactions: some transaction inserted the sessions of several codes.
        Assert.True(
            await CodeUsage.MostCodesPerClaimTransactionAsync(api.ConnectionString, codes) > 1,
            "Every claim transaction granted seats of one code only: claims of different codes were not grouped.");
    }

    [Fact]
    public async Task Each_claim_gets_its_own_outcome_when_valid_full_unknown_inactive_and_expired_codes_are_claimed_in_one_burst()
    {
        var open = await api.CreateCodeAsync(maxUsageCount: 10);
        var other = await api.CreateCodeAsync(maxUsageCount: 3);
        var full = await api.CreateCodeAsync(maxUsageCount: 2);
        var inactive = await api.CreateCodeAsync(maxUsageCount: 5);
        var expired = await api.CreateCodeAsync(maxUsageCount: 5);
        var unknown = "T-UNKNOWN-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Assert.All(await ClaimOutcome.ClaimAllAsync([(api.Client, full), (api.Client, full)]), o => Assert.True(o.Granted));
        await api.ScalarAsync<int>("UPDATE access_codes SET is_active = false WHERE code = $1 RETURNING 1", inactive);
        await api.ScalarAsync<int>("UPDATE access_codes SET expires_at = now() - interval '1 minute' WHERE code = $1 RETURNING 1", expired);
        var refused = new[] { full, inactive, expired };
        var before = await ReadRowsAsync(refused);

        string[] burst = [open, other, full, unknown, inactive, expired];
        var outcomes = await ClaimOutcome.ClaimAllAsync(
            Enumerable.Range(0, 20 * burst.Length).Select(i => (api.Client, burst[i % burst.Length])));

        var byCode = outcomes.ToLookup(o => o.Code);
        Assert.Equal(10, byCode[open].Count(o => o.Granted));
        Assert.Equal(3, byCode[other].Count(o => o.Granted));
        Assert.Equal(Enumerable.Range(1, 10), byCode[open].Where(o => o.Granted).Select(o => o.UsageCount!.Value).Order());
        Assert.Equal(Enumerable.Range(1, 3), byCode[other].Where(o => o.Granted).Select(o => o.UsageCount!.Value).Order());
        AssertAll(byCode[open].Where(o => !o.Granted), 10, HttpStatusCode.Conflict, "access-code-full");
        AssertAll(byCode[other].Where(o => !o.Granted), 17, HttpStatusCode.Conflict, "access-code-full");
        AssertAll(byCode[full], 20, HttpStatusCode.Conflict, "access-code-full");
        AssertAll(byCode[unknown], 20, HttpStatusCode.NotFound, "access-code-not-found");
        AssertAll(byCode[inactive], 20, HttpStatusCode.Gone, "access-code-inactive");
        AssertAll(byCode[expired], 20, HttpStatusCode.Gone, "access-code-expired");

        var usage = await CodeUsage.ReadAsync(api.ConnectionString, [open, other, full, inactive, expired, unknown]);
        Assert.Equal(new CodeUsage(open, 10, 10, 10), usage[open]);
        Assert.Equal(new CodeUsage(other, 3, 3, 3), usage[other]);
        Assert.Equal(new CodeUsage(full, 2, 2, 2), usage[full]);
        Assert.Equal(new CodeUsage(inactive, 0, 5, 0), usage[inactive]);
        Assert.Equal(new CodeUsage(expired, 0, 5, 0), usage[expired]);
        Assert.False(usage.ContainsKey(unknown));

        // The refused codes' rows were not written at all (not even updated_at), nor any session added to them.
        Assert.Equal(before, await ReadRowsAsync(refused));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM access_codes WHERE code = $1", unknown));
    }

    [Fact]
    public async Task Usage_always_equals_the_open_sessions_of_every_code_when_claims_and_ends_interleave_on_20_codes()
    {
        const int seats = 5;
        var codes = await CreateCodesAsync(20, seats);

        // 3 of each code's 5 seats are taken before the burst; the burst ends each of them (twice, at once).
        var taken = await ClaimOutcome.ClaimAllAsync(codes.SelectMany(c => Enumerable.Repeat((api.Client, c), 3)));
        Assert.All(taken, o => Assert.True(o.Granted, $"{o.Code}: {(int)o.Status}"));

        // Every snapshot PostgreSQL shows during the burst: the count equals the open sessions, within 0..seats.
        using var burstDone = new CancellationTokenSource();
        var sampler = SampleUntilAsync(codes, burstDone.Token);

        var ends = taken.SelectMany(o => new[] { o, o }).Select(o => EndAsync(o.SessionId!.Value)).ToArray();
        var claims = codes.SelectMany(c => Enumerable.Repeat(c, 10)).Select(c => ClaimOutcome.ClaimAsync(api.Client, c)).ToArray();
        var claimAndEnd = codes.SelectMany(c => Enumerable.Repeat(c, 5)).Select(ClaimThenEndAsync).ToArray();
        await Task.WhenAll(Task.WhenAll(ends), Task.WhenAll(claims), Task.WhenAll(claimAndEnd));
        await burstDone.CancelAsync();
        var (samples, violations) = await sampler;

        Assert.Empty(violations);
        Assert.True(samples > 0);

        var endings = await Task.WhenAll(ends);
        Assert.All(endings, e => Assert.Equal(HttpStatusCode.OK, e.Status));
        Assert.All(endings, e => Assert.InRange(e.UsageCount, 0, e.Released ? seats - 1 : seats));
        var releasedSessions = endings.Where(e => e.Released).Select(e => e.SessionId).ToArray();
        Assert.Equal(taken.Select(o => o.SessionId!.Value).Order(), releasedSessions.Order());

        var claimed = await Task.WhenAll(claims);
        var chained = await Task.WhenAll(claimAndEnd);
        var allClaims = claimed.Concat(chained.Select(c => c.Claim)).ToArray();
        Assert.All(allClaims, o => Assert.True(
            o.Status is HttpStatusCode.Created or HttpStatusCode.Conflict, $"{o.Code}: {(int)o.Status} {o.ProblemType}"));
        Assert.All(allClaims.Where(o => o.Granted), o => Assert.InRange(o.UsageCount!.Value, 1, seats));
        Assert.All(chained.Where(c => c.Claim.Granted), c =>
        {
            Assert.Equal(HttpStatusCode.OK, c.End!.Status);
            Assert.True(c.End.Released);
            Assert.InRange(c.End.UsageCount, 0, seats - 1);
        });

        // What is open at the end is exactly what the plain claims were granted: the 3 taken seats and every
        // claim-then-end seat were released, each once.
        var usage = await CodeUsage.ReadAsync(api.ConnectionString, codes);
        Assert.All(codes, code =>
        {
            var granted = claimed.Count(o => o.Code == code && o.Granted);
            Assert.Equal(new CodeUsage(code, granted, seats, granted), usage[code]);

            // A code is refused as full only once all its seats are taken, and only grants take seats beyond the
            // 3 taken before: so at least 2 claims of each code got a seat.
            Assert.InRange(allClaims.Count(o => o.Code == code && o.Granted), 2, 15);
        });
    }

    [Fact]
    public async Task Each_of_20_codes_grants_exactly_its_40_seats_when_2000_claims_spread_over_them_hit_two_instances()
    {
        await using var second = await api.StartSecondInstanceAsync();
        var codes = await CreateCodesAsync(20, maxUsageCount: 40);

        // Each code gets 50 claims through each instance, interleaved.
        var outcomes = await ClaimOutcome.ClaimAllAsync(Enumerable.Range(0, 2000).Select(i =>
            ((i / codes.Length) % 2 == 0 ? api.Client : second.Client, codes[i % codes.Length])));

        ClaimOutcome.AssertEachCodeGrantedExactly(outcomes, codes, seats: 40, claimsPerCode: 100);
        var usage = await CodeUsage.ReadAsync(api.ConnectionString, codes);
        Assert.All(codes, code => Assert.Equal(new CodeUsage(code, 40, 40, 40), usage[code]));
    }

    private sealed record Ending(Guid SessionId, HttpStatusCode Status, bool Released, int UsageCount);

    private sealed record ClaimedThenEnded(ClaimOutcome Claim, Ending? End);

    private async Task<string[]> CreateCodesAsync(int count, int maxUsageCount)
    {
        var codes = new string[count];
        for (var i = 0; i < count; i++)
        {
            codes[i] = await api.CreateCodeAsync(maxUsageCount);
        }

        return codes;
    }

    private async Task<Ending> EndAsync(Guid sessionId)
    {
        using var response = await api.Client.PostAsync($"/api/sessions/{sessionId}/end", null);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return new Ending(sessionId, response.StatusCode, false, -1);
        }

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Ending(sessionId, response.StatusCode, body.GetProperty("released").GetBoolean(), body.GetProperty("usageCount").GetInt32());
    }

    private async Task<ClaimedThenEnded> ClaimThenEndAsync(string code)
    {
        var claim = await ClaimOutcome.ClaimAsync(api.Client, code);
        return new ClaimedThenEnded(claim, claim.Granted ? await EndAsync(claim.SessionId!.Value) : null);
    }

    /// <summary>Reads the codes again and again until cancelled; returns how many snapshots and what was wrong in them.</summary>
    private async Task<(int Samples, List<string> Violations)> SampleUntilAsync(string[] codes, CancellationToken stop)
    {
        var samples = 0;
        var violations = new List<string>();
        do
        {
            foreach (var row in (await CodeUsage.ReadAsync(api.ConnectionString, codes)).Values)
            {
                if (row.UsageCount != row.OpenSessions || row.UsageCount < 0 || row.UsageCount > row.MaxUsageCount)
                {
                    violations.Add(row.ToString());
                }
            }

            samples++;
            try
            {
                // Pacing only, so the sampler leaves the 2 cores to the burst.
                await Task.Delay(10, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        while (!stop.IsCancellationRequested);

        return (samples, violations);
    }

    private async Task<string[]> ReadRowsAsync(string[] codes)
    {
        var rows = new string[codes.Length];
        for (var i = 0; i < codes.Length; i++)
        {
            rows[i] = await api.ScalarAsync<string>(
                """
                SELECT concat_ws('|', a.code, a.usage_count, a.updated_at, a.is_active, a.expires_at,
                                 (SELECT count(*) FROM sessions s WHERE s.code_id = a.id))
                FROM access_codes a WHERE a.code = $1
                """,
                codes[i]);
        }

        return rows;
    }

    private static void AssertAll(IEnumerable<ClaimOutcome> outcomes, int count, HttpStatusCode status, string problem)
    {
        var list = outcomes.ToArray();
        Assert.Equal(count, list.Length);
        Assert.All(list, o =>
        {
            Assert.Equal(status, o.Status);
            Assert.Equal(Prefix + problem, o.ProblemType);
        });
    }
}
