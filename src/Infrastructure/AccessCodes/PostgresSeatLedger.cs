using Capacity.Application.AccessCodes;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>
/// Claims and releases seats with explicit SQL. Every grant is decided under the code's row lock inside one
/// transaction, and the table's check constraint refuses any usage_count above max_usage_count, so no
/// interleaving of requests or API instances can oversell.
/// </summary>
internal sealed class PostgresSeatLedger(
    NpgsqlDataSource database,
    CodeGates gates,
    IOptions<ClaimOptions> options,
    TimeProvider clock) : ISeatLedger
{
    private readonly ClaimOptions _options = options.Value;

    public async Task<Result<SeatGrant>> ClaimAsync(string code, string? clientRef, CancellationToken cancellationToken)
    {
        var deadline = clock.GetUtcNow() + _options.Deadline;
        while (true)
        {
            // Claims of one code on this instance take turns; only other instances meet the row lock.
            using var turn = await gates.WaitAsync(code, deadline - clock.GetUtcNow(), cancellationToken);
            if (turn is null)
            {
                return AccessCodeErrors.Busy(code, _options.RetryAfterSeconds);
            }

            for (var attempt = 1; attempt <= _options.LockAttempts; attempt++)
            {
                var outcome = await TryClaimAsync(code, clientRef, cancellationToken);
                if (outcome is not null)
                {
                    return outcome;
                }

                // Another instance holds the row: back off (exponential, with jitter) within our deadline.
                var backoff = Backoff(attempt);
                if (clock.GetUtcNow() + backoff >= deadline)
                {
                    return AccessCodeErrors.Busy(code, _options.RetryAfterSeconds);
                }

                await Task.Delay(backoff, clock, cancellationToken);
            }

            // Give the claims queued behind us a turn before trying again.
        }
    }

    /// <summary>One claim transaction; null when the row lock was not available (nothing changed).</summary>
    private async Task<Result<SeatGrant>?> TryClaimAsync(string code, string? clientRef, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        CodeRow? locked;
        try
        {
            locked = await LockCodeAsync(connection, transaction, code, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            // 55P03 aborted the transaction; it is rolled back on dispose.
            return null;
        }

        if (locked is not { } row)
        {
            return AccessCodeErrors.NotFound(code);
        }

        if (!row.IsActive)
        {
            return AccessCodeErrors.Inactive(code);
        }

        if (row.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            return AccessCodeErrors.Expired(code);
        }

        if (clientRef is not null && await FindOpenSessionAsync(connection, transaction, row.Id, clientRef, cancellationToken) is { } open)
        {
            return new SeatGrant(open, code, row.UsageCount, row.MaxUsageCount, Resumed: true);
        }

        if (row.UsageCount >= row.MaxUsageCount)
        {
            return AccessCodeErrors.Full(code, row.MaxUsageCount);
        }

        var sessionId = Guid.CreateVersion7(now);
        await using var grant = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                // Still under the row lock taken above, so the count read there is the count we add to.
                new NpgsqlBatchCommand("UPDATE access_codes SET usage_count = usage_count + 1, updated_at = $2 WHERE id = $1 RETURNING usage_count")
                {
                    Parameters = { new() { Value = row.Id }, new() { Value = now } },
                },
                new NpgsqlBatchCommand(
                    "INSERT INTO sessions (id, code_id, client_ref, started_at, last_activity) VALUES ($1, $2, $3, $4, $4)")
                {
                    Parameters =
                    {
                        new() { Value = sessionId },
                        new() { Value = row.Id },
                        new() { Value = (object?)clientRef ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Varchar },
                        new() { Value = now },
                    },
                },
            },
        };
        var usageCount = (int)(await grant.ExecuteScalarAsync(cancellationToken))!;
        await transaction.CommitAsync(cancellationToken);
        return new SeatGrant(sessionId, code, usageCount, row.MaxUsageCount, Resumed: false);
    }

    private static async Task<CodeRow?> LockCodeAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string code, CancellationToken cancellationToken)
    {
        // Row lock on the code: serializes every grant of this code. NOWAIT because a claim never queues
        // inside PostgreSQL holding a connection; it backs off and retries instead (see ClaimAsync).
        await using var lockCode = new NpgsqlCommand(
            """
            SELECT id, is_active, expires_at, usage_count, max_usage_count
            FROM access_codes
            WHERE code = $1
            FOR UPDATE NOWAIT
            """,
            connection,
            transaction);
        lockCode.Parameters.Add(new NpgsqlParameter { Value = code });
        await using var reader = await lockCode.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new CodeRow(
            reader.GetGuid(0),
            reader.GetBoolean(1),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
            reader.GetInt32(3),
            reader.GetInt32(4));
    }

    private static async Task<Guid?> FindOpenSessionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid codeId, string clientRef, CancellationToken cancellationToken)
    {
        await using var find = new NpgsqlCommand(
            "SELECT id FROM sessions WHERE code_id = $1 AND client_ref = $2 AND ended_at IS NULL", connection, transaction);
        find.Parameters.Add(new NpgsqlParameter { Value = codeId });
        find.Parameters.Add(new NpgsqlParameter { Value = clientRef });
        return await find.ExecuteScalarAsync(cancellationToken) as Guid?;
    }

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

    private TimeSpan Backoff(int attempt)
    {
        var ceiling = _options.InitialBackoff * Math.Pow(2, attempt - 1);
        return ceiling * (0.5 + (Random.Shared.NextDouble() / 2));
    }

    private readonly record struct CodeRow(Guid Id, bool IsActive, DateTimeOffset? ExpiresAt, int UsageCount, int MaxUsageCount);
}
