using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Capacity.Application.AccessCodes;
using Capacity.Domain.Common;
using Capacity.Infrastructure.AccessCodes;
using Capacity.IntegrationTests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Capacity.IntegrationTests.AccessCodes;

/// <summary>
/// Every grant statement (one code with client references, one code without, several codes grouped) decides
/// its grant from the row version it updates, whatever releases commit around it: PostgreSQL never refuses it
/// (the stale-grant defect was a check violation on an UPDATE candidate built from the statement's snapshot,
/// older than the row it had locked, see docs/decisions/005), usage always equals the open sessions, and no
/// claim is answered "full" while the row it locked had a free seat. Small codes (20 seats) that stay nearly
/// full, grant workers beside releasing workers: the interleaving that produced the 500s.
/// </summary>
public sealed class GrantStatementConcurrencyTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    private const int Seats = 20;
    private const int GrantWorkers = 4;
    private const int ReleaseWorkers = 2;
    private const int MinReleases = 60;
    private static readonly TimeSpan RunFor = TimeSpan.FromSeconds(6);

    // On a busy machine the workers run on past RunFor until the interleaving really happened, up to this.
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(40);

    public enum Statement
    {
        WithReferences,
        Anonymous,
        Grouped,
    }

    /// <summary>
    /// The production path (<see cref="IClaimStatements"/>, the writer the coalescer calls) beside the real
    /// release (<see cref="ISeatLedger.ReleaseAsync"/>, what EndSession runs): no statement throws, and every code's
    /// usage_count equals its open sessions. On the code before the fix this threw check violations within seconds.
    /// </summary>
    [Theory]
    [InlineData(Statement.WithReferences)]
    [InlineData(Statement.Anonymous)]
    [InlineData(Statement.Grouped)]
    public async Task Grants_beside_concurrent_releases_never_fail_and_usage_equals_open_sessions(Statement statement)
    {
        var codes = new[] { await api.CreateCodeAsync(Seats), await api.CreateCodeAsync(Seats) };
        var statements = api.Services.GetRequiredService<IClaimStatements>();
        var ledger = api.Services.GetRequiredService<ISeatLedger>();
        var open = new ConcurrentQueue<Guid>();
        var failures = new ConcurrentQueue<Exception>();
        var (granted, retried, released) = (0, 0, 0);
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        var guardFiredBefore = await api.GuardRefusalsAsync();
        var until = Stopwatch.StartNew();
        bool Running() => until.Elapsed < RunFor || (Volatile.Read(ref released) < MinReleases && until.Elapsed < Cap);

        async Task GrantAsync(int worker)
        {
            for (var i = 0; Running(); i++)
            {
                try
                {
                    var code = codes[(worker + i) % codes.Length];
                    Result<SeatGrant>[]?[] outcomes = statement switch
                    {
                        Statement.WithReferences => [await statements.TryGrantAsync(
                            code, [$"w{worker}-{i}-a", $"w{worker}-{i}-b"], deadline, CancellationToken.None)],
                        Statement.Anonymous => [await statements.TryGrantAsync(code, [null, null], deadline, CancellationToken.None)],
                        _ => await statements.TryGrantGroupAsync([new(codes[0], 2), new(codes[1], 2)], CancellationToken.None),
                    };
                    foreach (var outcome in outcomes)
                    {
                        if (outcome is null)
                        {
                            Interlocked.Increment(ref retried);
                            continue;
                        }

                        foreach (var seat in outcome.Where(o => o.IsSuccess).Select(o => o.Value!))
                        {
                            Interlocked.Increment(ref granted);
                            open.Enqueue(seat.SessionId);
                        }
                    }
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                    return;
                }
            }
        }

        async Task ReleaseAsync()
        {
            while (Running())
            {
                if (!open.TryDequeue(out var session))
                {
                    await Task.Delay(1);
                    continue;
                }

                try
                {
                    var release = await ledger.ReleaseAsync(session, CancellationToken.None);
                    Assert.True(release.IsSuccess && release.Value.Released, $"Session {session} was not released.");
                    Interlocked.Increment(ref released);
                }
                catch (Exception e)
                {
                    failures.Enqueue(e);
                    return;
                }
            }
        }

        await Task.WhenAll(
            Enumerable.Range(0, GrantWorkers).Select(w => Task.Run(() => GrantAsync(w)))
                .Concat(Enumerable.Range(0, ReleaseWorkers).Select(_ => Task.Run(ReleaseAsync))));

        Assert.True(failures.IsEmpty, $"{failures.Count} statements failed; the first: {failures.FirstOrDefault()}");
        Assert.True(released >= MinReleases, $"Only {released} releases ran beside {granted} grants: the interleaving was not exercised.");
        var usage = await CodeUsage.ReadAsync(api.ConnectionString, codes);
        Assert.All(codes, code =>
        {
            Assert.Equal(usage[code].OpenSessions, usage[code].UsageCount);
            Assert.InRange(usage[code].UsageCount, 0, Seats);
        });
        Assert.Equal(granted - released, usage.Values.Sum(u => u.OpenSessions));

        // Nothing was hidden by the retry: the check constraint never had to refuse a statement (the exporter
        // caches a scrape for a moment, hence the pause).
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(guardFiredBefore, await api.GuardRefusalsAsync());
    }

    /// <summary>
    /// Each statement, run as written in its .sql file inside a transaction of the test's own beside concurrent
    /// releases, reports the usage_count it decided on; still holding the row lock, the test reads the row: it
    /// must be exactly that usage plus the seats granted (the grant was decided on the version it updated), and
    /// a claim answered "full" means the row is at capacity (no free seat was refused).
    /// </summary>
    [Theory]
    [InlineData(Statement.WithReferences)]
    [InlineData(Statement.Anonymous)]
    [InlineData(Statement.Grouped)]
    public async Task Each_statement_decides_on_the_row_version_it_updates_and_answers_full_only_at_capacity(Statement statement)
    {
        var codes = new[] { await api.CreateCodeAsync(Seats), await api.CreateCodeAsync(Seats) };
        var ledger = api.Services.GetRequiredService<ISeatLedger>();
        var open = new ConcurrentQueue<Guid>();
        var failures = new ConcurrentQueue<string>();
        var (decisions, fullAnswers, released) = (0, 0, 0);
        var until = Stopwatch.StartNew();
        bool Running() => failures.IsEmpty
            && (until.Elapsed < RunFor || ((Volatile.Read(ref released) < MinReleases || Volatile.Read(ref fullAnswers) == 0) && until.Elapsed < Cap));

        async Task GrantAsync(int worker)
        {
            await using var connection = new NpgsqlConnection(api.ConnectionString);
            await connection.OpenAsync();
            for (var i = 0; Running(); i++)
            {
                var code = codes[(worker + i) % codes.Length];
                await using var transaction = await connection.BeginTransactionAsync();
                List<Decision> made;
                try
                {
                    made = await RunAsync(connection, transaction, statement, codes, code, $"w{worker}-{i}");
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
                {
                    await transaction.RollbackAsync();
                    await Task.Delay(1);
                    continue;
                }
                catch (PostgresException e)
                {
                    failures.Enqueue($"{statement} failed: {e.SqlState} {e.MessageText}");
                    return;
                }

                foreach (var decision in made)
                {
                    var now = await ReadUsageAsync(connection, transaction, decision.Code);
                    Interlocked.Increment(ref decisions);
                    if (now != decision.Decided + decision.Sessions.Count)
                    {
                        failures.Enqueue($"{decision.Code}: decided on {decision.Decided}, granted {decision.Sessions.Count}, row holds {now}");
                    }

                    if (decision.Full)
                    {
                        Interlocked.Increment(ref fullAnswers);
                        if (now != Seats)
                        {
                            failures.Enqueue($"{decision.Code}: a claim was answered full while the locked row had {Seats - now} free seats");
                        }
                    }

                }

                await transaction.CommitAsync();
                made.ForEach(d => d.Sessions.ForEach(open.Enqueue));
            }
        }

        async Task ReleaseAsync()
        {
            while (Running())
            {
                if (!open.TryDequeue(out var session))
                {
                    await Task.Delay(1);
                    continue;
                }

                var release = await ledger.ReleaseAsync(session, CancellationToken.None);
                if (!release.IsSuccess || !release.Value.Released)
                {
                    failures.Enqueue($"session {session} was not released");
                }

                Interlocked.Increment(ref released);
            }
        }

        await Task.WhenAll(
            Enumerable.Range(0, GrantWorkers).Select(w => Task.Run(() => GrantAsync(w)))
                .Concat(Enumerable.Range(0, ReleaseWorkers).Select(_ => Task.Run(ReleaseAsync))));

        Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures.Take(10)));
        Assert.True(released >= MinReleases && fullAnswers > 0, $"{decisions} decisions, {fullAnswers} with a full answer, {released} releases: the interleaving was not exercised.");
        var usage = await CodeUsage.ReadAsync(api.ConnectionString, codes);
        Assert.All(codes, code => Assert.Equal(usage[code].OpenSessions, usage[code].UsageCount));
    }

    /// <summary>
    /// The guard itself: when PostgreSQL refuses a claim statement with a check violation (forced here, twice, by
    /// a trigger of this test's database), the claim is not answered 500: its batch retries with a new snapshot,
    /// is granted, and the refusal is counted in /metrics.
    /// </summary>
    [Fact]
    public async Task A_claim_statement_refused_by_the_check_constraint_retries_and_is_counted()
    {
        var code = await api.CreateCodeAsync(Seats);
        await api.ScalarAsync<int>(
            """
            CREATE SEQUENCE IF NOT EXISTS guard_fired;
            CREATE OR REPLACE FUNCTION refuse_twice() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                -- A sequence is not transactional: the count survives the refused statements' rollbacks.
                IF NEW.code = TG_ARGV[0] AND nextval('guard_fired') <= 2 THEN
                    RAISE EXCEPTION 'forced by the test' USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_access_codes_usage_within_capacity';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_twice BEFORE UPDATE ON access_codes FOR EACH ROW EXECUTE FUNCTION refuse_twice('
            """ + code + "'); SELECT 1");
        try
        {
            var before = await api.GuardRefusalsAsync();

            using var response = await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code, clientRef = "guard-" + code });

            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal(3L, await api.ScalarAsync<long>("SELECT last_value FROM guard_fired"));
            // The exporter caches a scrape briefly: wait for the count rather than read it once.
            var counted = before;
            for (var waited = Stopwatch.StartNew(); counted < before + 2 && waited.Elapsed < TimeSpan.FromSeconds(10); await Task.Delay(200))
            {
                counted = await api.GuardRefusalsAsync();
            }

            Assert.Equal(before + 2, counted);
            var usage = (await CodeUsage.ReadAsync(api.ConnectionString, [code]))[code];
            Assert.Equal(new CodeUsage(code, 1, Seats, 1), usage);
        }
        finally
        {
            await api.ScalarAsync<int>("DROP TRIGGER refuse_twice ON access_codes; DROP SEQUENCE guard_fired; SELECT 1");
        }
    }

    public enum Meanwhile
    {
        /// <summary>A release commits: the statement's snapshot shows the code full, the locked row has a free seat.</summary>
        ReleaseFreedASeat,

        /// <summary>A claim commits: the snapshot shows two free seats, the locked row has none.</summary>
        ClaimTookTheLastSeats,
    }

    /// <summary>
    /// The stale window made deterministic: the statement (its lock made to wait instead of NOWAIT / SKIP LOCKED)
    /// takes its snapshot, then waits for a row another transaction changes and commits. It must decide on the
    /// version committed meanwhile: no check violation (the defect), a free seat granted (no "full" decided on
    /// the snapshot's version), none granted when the last seats went meanwhile, usage = open sessions.
    /// </summary>
    [Theory]
    [InlineData(Statement.WithReferences, Meanwhile.ReleaseFreedASeat)]
    [InlineData(Statement.Anonymous, Meanwhile.ReleaseFreedASeat)]
    [InlineData(Statement.Grouped, Meanwhile.ReleaseFreedASeat)]
    [InlineData(Statement.WithReferences, Meanwhile.ClaimTookTheLastSeats)]
    [InlineData(Statement.Anonymous, Meanwhile.ClaimTookTheLastSeats)]
    [InlineData(Statement.Grouped, Meanwhile.ClaimTookTheLastSeats)]
    public async Task A_statement_that_waited_for_the_row_decides_on_the_version_committed_meanwhile(Statement statement, Meanwhile meanwhile)
    {
        var code = await api.CreateCodeAsync(Seats);
        var held = meanwhile == Meanwhile.ReleaseFreedASeat ? Seats : Seats - 2;
        await api.ScalarAsync<int>(
            """
            WITH opened AS (
                INSERT INTO sessions (id, code_id, client_ref, started_at, last_activity)
                SELECT gen_random_uuid(), a.id, NULL, now(), now() FROM access_codes a, generate_series(1, $2) WHERE a.code = $1
                RETURNING code_id
            )
            UPDATE access_codes SET usage_count = (SELECT count(*) FROM opened) WHERE code = $1 RETURNING 1
            """,
            code,
            held);

        // The other transaction changes the row and keeps it locked until the statement waits for it.
        await using var other = new NpgsqlConnection(api.ConnectionString);
        await other.OpenAsync();
        await using var otherTransaction = await other.BeginTransactionAsync();
        string[] changes = meanwhile == Meanwhile.ReleaseFreedASeat
            ?
            [
                "UPDATE sessions SET ended_at = now() WHERE id = (SELECT s.id FROM sessions s JOIN access_codes a ON a.id = s.code_id WHERE a.code = $1 LIMIT 1)",
                "UPDATE access_codes SET usage_count = usage_count - 1 WHERE code = $1",
            ]
            :
            [
                "INSERT INTO sessions (id, code_id, client_ref, started_at, last_activity) SELECT gen_random_uuid(), a.id, NULL, now(), now() FROM access_codes a, generate_series(1, 2) WHERE a.code = $1",
                "UPDATE access_codes SET usage_count = usage_count + 2 WHERE code = $1",
            ];
        foreach (var sql in changes)
        {
            await using var change = new NpgsqlCommand(sql, other, otherTransaction);
            change.Parameters.Add(new NpgsqlParameter { Value = code });
            await change.ExecuteNonQueryAsync();
        }

        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var statementPid = connection.ProcessID;
        static string Waiting(string sql) =>
            sql.Replace(" NOWAIT", "", StringComparison.Ordinal).Replace(" SKIP LOCKED", "", StringComparison.Ordinal);
        // A grouped statement carries a second, untouched code beside it (a group never holds one code twice).
        string[] codes = statement == Statement.Grouped ? [code, await api.CreateCodeAsync(Seats)] : [code];
        var running = RunAsync(connection, transaction, statement, codes, code, "late-" + code, Waiting);

        // The statement has its snapshot and waits for the row lock: only now does the other transaction commit.
        var waited = Stopwatch.StartNew();
        while (await api.ScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'", statementPid) == 0)
        {
            Assert.False(running.IsCompleted, "The statement did not wait for the row the other transaction held.");
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), "The statement never waited for the row lock.");
            await Task.Delay(20);
        }

        await otherTransaction.CommitAsync();
        var decisions = await running;
        var decision = Assert.Single(decisions, d => d.Code == code);
        var usage = await ReadUsageAsync(connection, transaction, code);
        await transaction.CommitAsync();

        var (decided, granted) = meanwhile == Meanwhile.ReleaseFreedASeat ? (Seats - 1, 1) : (Seats, 0);
        Assert.Equal(decided, decision.Decided);
        Assert.Equal(granted, decision.Sessions.Count);
        Assert.True(decision.Full);
        Assert.Equal(Seats, usage);
        Assert.Equal(new CodeUsage(code, Seats, Seats, Seats), (await CodeUsage.ReadAsync(api.ConnectionString, [code]))[code]);
    }

    /// <summary>What one statement decided for one code: the usage it decided on, the sessions it inserted, and whether a claim was full.</summary>
    private sealed record Decision(string Code, int Decided, List<Guid> Sessions, bool Full);

    private static async Task<List<Decision>> RunAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Statement statement, string[] codes, string code, string refs,
        Func<string, string>? rewrite = null)
    {
        rewrite ??= sql => sql;
        var now = DateTimeOffset.UtcNow;
        var ids = new[] { Guid.CreateVersion7(), Guid.CreateVersion7() };
        switch (statement)
        {
            case Statement.WithReferences:
            {
                await using var grant = Command(connection, transaction, rewrite(ClaimSql.GrantWithReferences), code, ids, new[] { refs + "-a", refs + "-b" }, now);
                var decision = new Decision(code, -1, [], false);
                await using var reader = await grant.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    var outcome = reader.GetString(0);
                    decision = decision with { Decided = reader.GetInt32(4), Full = decision.Full || outcome == "full" };
                    if (outcome == "granted")
                    {
                        decision.Sessions.Add(reader.GetGuid(1));
                    }
                }

                return [decision];
            }

            case Statement.Anonymous:
            {
                await using var grant = Command(connection, transaction, rewrite(ClaimSql.GrantAnonymous), code, ids, now);
                await using var reader = await grant.ExecuteReaderAsync();
                await reader.ReadAsync();
                var k = reader.GetInt32(4);
                return [new Decision(code, reader.GetInt32(2), ids.Take(k).ToList(), k < ids.Length)];
            }

            default:
            {
                await using var grant = Command(
                    connection, transaction, rewrite(ClaimSql.GrantGroup),
                    codes, new[] { 2, 2 }, new[] { ids[0], ids[1], Guid.CreateVersion7(), Guid.CreateVersion7() },
                    new[] { 1, 1, 2, 2 }, new[] { 1, 2, 1, 2 }, now);
                var sessionIds = grant.Parameters[2].Value as Guid[];
                var made = new List<Decision>();
                await using var reader = await grant.ExecuteReaderAsync();
                for (var part = 0; await reader.ReadAsync(); part++)
                {
                    if (!reader.GetBoolean(0))
                    {
                        continue; // held by a release right now: left out, nothing changed for it
                    }

                    var k = reader.GetInt32(6);
                    made.Add(new Decision(codes[part], reader.GetInt32(4), sessionIds!.Skip(2 * part).Take(k).ToList(), k < 2));
                }

                return made;
            }
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, params object[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in parameters)
        {
            command.Parameters.Add(value switch
            {
                string[] texts => new NpgsqlParameter { Value = texts, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar },
                _ => new NpgsqlParameter { Value = value },
            });
        }

        return command;
    }

    private static async Task<int> ReadUsageAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string code)
    {
        await using var read = new NpgsqlCommand("SELECT usage_count FROM access_codes WHERE code = $1", connection, transaction);
        read.Parameters.Add(new NpgsqlParameter { Value = code });
        return (int)(await read.ExecuteScalarAsync())!;
    }
}
