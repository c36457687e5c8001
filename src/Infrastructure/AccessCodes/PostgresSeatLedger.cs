using Capacity.Application.AccessCodes;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Npgsql;
using NpgsqlTypes;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>
/// Seats of access codes in PostgreSQL. Grants are decided under the code's row lock (see
/// <see cref="ClaimStatements"/>) and the table's check constraint refuses any usage_count above
/// max_usage_count, so no interleaving of requests or API instances can oversell.
/// </summary>
internal sealed class PostgresSeatLedger(
    NpgsqlDataSource database,
    ClaimCoalescer claims,
    TimeProvider clock) : ISeatLedger
{
    /// <summary>Claims go through the per-code queue, which grants them in batches (see <see cref="ClaimCoalescer"/>).</summary>
    public Task<Result<SeatGrant>> ClaimAsync(string code, string? clientRef, CancellationToken cancellationToken) =>
        claims.ClaimAsync(code, clientRef, cancellationToken);

    public async Task<Result<SeatRelease>> ReleaseAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Advisory lock keyed on the session's code (transaction-scoped, so nothing survives on a pooled
        // connection): releases of one code queue here, before touching the code row, so the row lock they
        // need for the decrement is held only for that one statement and claims' NOWAIT rarely meets it.
        await using (var lockCode = new NpgsqlCommand(
            "SELECT pg_advisory_xact_lock(hashtextextended('capacity.code:' || code_id::text, 0)) FROM sessions WHERE id = $1",
            connection,
            transaction))
        {
            lockCode.Parameters.Add(new NpgsqlParameter { Value = sessionId });
            await using var locked = await lockCode.ExecuteReaderAsync(cancellationToken);
            if (!await locked.ReadAsync(cancellationToken))
            {
                return AccessCodeErrors.SessionNotFound(sessionId);
            }
        }

        // End the session only if it is open, and decrement by exactly what that UPDATE changed: a second
        // end (or a racing one) changes no session row and so releases nothing. GREATEST keeps it >= 0.
        await using var release = new NpgsqlCommand(
            """
            WITH ended AS (
                UPDATE sessions SET ended_at = $2
                WHERE id = $1 AND ended_at IS NULL
                RETURNING code_id
            ), released AS (
                UPDATE access_codes a
                SET usage_count = GREATEST(a.usage_count - 1, 0), updated_at = $2
                FROM ended
                WHERE a.id = ended.code_id
                RETURNING a.code, a.usage_count
            )
            SELECT true, code, usage_count FROM released
            UNION ALL
            SELECT false, a.code, a.usage_count
            FROM sessions s JOIN access_codes a ON a.id = s.code_id
            WHERE s.id = $1 AND NOT EXISTS (SELECT 1 FROM released)
            """,
            connection,
            transaction);
        release.Parameters.Add(new NpgsqlParameter { Value = sessionId });
        release.Parameters.Add(new NpgsqlParameter { Value = now });
        SeatRelease result;
        await using (var reader = await release.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            result = new SeatRelease(reader.GetBoolean(0), reader.GetString(1), reader.GetInt32(2));
        }

        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    public async Task<Result<DateTimeOffset>> TouchAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var touch = new NpgsqlCommand(
            """
            WITH touched AS (
                UPDATE sessions SET last_activity = $2 WHERE id = $1 AND ended_at IS NULL RETURNING id
            )
            SELECT EXISTS (SELECT 1 FROM touched), EXISTS (SELECT 1 FROM sessions WHERE id = $1)
            """,
            connection);
        touch.Parameters.Add(new NpgsqlParameter { Value = sessionId });
        touch.Parameters.Add(new NpgsqlParameter { Value = now });
        await using var reader = await touch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (touched, exists) = (reader.GetBoolean(0), reader.GetBoolean(1));
        return touched ? now : exists ? AccessCodeErrors.SessionEnded(sessionId) : AccessCodeErrors.SessionNotFound(sessionId);
    }

    public async Task<IReadOnlyList<IdleRelease>> EndIdleSessionsAsync(DateTimeOffset idleSince, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Cleanups of every instance take turns (transaction-scoped advisory lock): two of them ending the same
        // idle sessions in different orders could otherwise deadlock.
        await using (var turn = new NpgsqlCommand(
            "SELECT pg_advisory_xact_lock(hashtextextended('capacity.cleanup', 0))", connection, transaction))
        {
            await turn.ExecuteNonQueryAsync(cancellationToken);
        }

        // 1. End the idle open sessions, set-based. Seats are freed from what this UPDATE actually changed: a
        //    session a concurrent release ended first is not matched (its row lock makes the UPDATE re-check
        //    ended_at), so nothing is freed twice.
        var ended = new Dictionary<Guid, int>();
        await using (var end = new NpgsqlCommand(
            """
            WITH ended AS (
                UPDATE sessions SET ended_at = $2
                WHERE ended_at IS NULL AND last_activity < $1
                RETURNING code_id
            )
            SELECT code_id, count(*)::int FROM ended GROUP BY code_id
            """,
            connection,
            transaction))
        {
            end.Parameters.Add(new NpgsqlParameter { Value = idleSince });
            end.Parameters.Add(new NpgsqlParameter { Value = now });
            await using var reader = await end.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ended[reader.GetGuid(0)] = reader.GetInt32(1);
            }
        }

        if (ended.Count == 0)
        {
            return [];
        }

        // 2. Lock the codes' rows (in id order) and read their current usage: what is freed is what is there.
        var codeIds = ended.Keys.Order().ToArray();
        var usage = new List<(Guid Id, string Code, int UsageCount)>();
        await using (var lockCodes = new NpgsqlCommand(
            "SELECT id, code, usage_count FROM access_codes WHERE id = ANY($1) ORDER BY id FOR UPDATE", connection, transaction))
        {
            lockCodes.Parameters.Add(new NpgsqlParameter { Value = codeIds });
            await using var reader = await lockCodes.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                usage.Add((reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2)));
            }
        }

        // 3. Free the seats, never below zero, in one statement.
        var released = usage
            .Select(u => (u.Id, Release: new IdleRelease(u.Code, ended[u.Id], Math.Min(ended[u.Id], u.UsageCount))))
            .ToList();
        await using (var free = new NpgsqlCommand(
            """
            UPDATE access_codes a
            SET usage_count = a.usage_count - freed.seats, updated_at = $3
            FROM unnest($1::uuid[], $2::int[]) AS freed(id, seats)
            WHERE a.id = freed.id
            """,
            connection,
            transaction))
        {
            free.Parameters.Add(new NpgsqlParameter { Value = released.Select(r => r.Id).ToArray() });
            free.Parameters.Add(new NpgsqlParameter { Value = released.Select(r => r.Release.SeatsReleased).ToArray() });
            free.Parameters.Add(new NpgsqlParameter { Value = now });
            await free.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return released.Select(r => r.Release).OrderBy(r => r.Code, StringComparer.Ordinal).ToList();
    }
}
