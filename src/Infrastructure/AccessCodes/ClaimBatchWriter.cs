using Capacity.Application.AccessCodes;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Npgsql;
using NpgsqlTypes;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>Runs one claim transaction for a batch of claims of one code.</summary>
internal interface IClaimBatchWriter
{
    /// <summary>
    /// One outcome per claim, in order (each claim is its client reference, or null); null when another
    /// transaction holds the code row (nothing changed: the caller backs off and retries).
    /// </summary>
    Task<Result<SeatGrant>[]?> TryGrantAsync(string code, IReadOnlyList<string?> clientRefs, CancellationToken cancellationToken);
}

/// <summary>
/// One claim transaction for a batch of claims of ONE code: locks the code row once, grants
/// <c>k = min(new claims, free seats)</c> with one UPDATE and inserts the k sessions with one INSERT.
/// The table's check constraint refuses any usage_count above max_usage_count, whatever the caller does.
/// </summary>
internal sealed class ClaimBatchWriter(NpgsqlDataSource database, TimeProvider clock) : IClaimBatchWriter
{
    public async Task<Result<SeatGrant>[]?> TryGrantAsync(
        string code, IReadOnlyList<string?> clientRefs, CancellationToken cancellationToken)
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
            // 55P03 aborted the transaction; disposing rolls it back.
            return null;
        }

        if (locked is not { } row)
        {
            return Fill(clientRefs.Count, AccessCodeErrors.NotFound(code));
        }

        if (!row.IsActive)
        {
            return Fill(clientRefs.Count, AccessCodeErrors.Inactive(code));
        }

        if (row.ExpiresAt is { } expiresAt && expiresAt <= now)
        {
            return Fill(clientRefs.Count, AccessCodeErrors.Expired(code));
        }

        var open = await FindOpenSessionsAsync(connection, transaction, row.Id, clientRefs, cancellationToken);
        var results = new Result<SeatGrant>[clientRefs.Count];
        var resumed = new List<int>();
        var newIds = new List<Guid>();
        var newRefs = new List<string?>();
        var usage = row.UsageCount;
        for (var i = 0; i < clientRefs.Count; i++)
        {
            var clientRef = clientRefs[i];
            if (clientRef is not null && open.ContainsKey(clientRef))
            {
                resumed.Add(i);
                continue;
            }

            if (usage >= row.MaxUsageCount)
            {
                results[i] = AccessCodeErrors.Full(code, row.MaxUsageCount);
                continue;
            }

            usage++;
            var sessionId = Guid.CreateVersion7(now);
            newIds.Add(sessionId);
            newRefs.Add(clientRef);
            if (clientRef is not null)
            {
                // A retry of the same client inside this batch gets this session, not a second seat.
                open[clientRef] = sessionId;
            }

            results[i] = new SeatGrant(sessionId, code, usage, row.MaxUsageCount, Resumed: false);
        }

        foreach (var i in resumed)
        {
            results[i] = new SeatGrant(open[clientRefs[i]!], code, usage, row.MaxUsageCount, Resumed: true);
        }

        if (newIds.Count > 0)
        {
            await GrantAsync(connection, transaction, row.Id, newIds, newRefs, now, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        return results;
    }

    private static async Task<CodeRow?> LockCodeAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string code, CancellationToken cancellationToken)
    {
        // Row lock on the code: serializes every grant of this code across all API instances. NOWAIT because
        // a batch never queues inside PostgreSQL holding a pooled connection: it backs off and retries, and
        // the claims that arrive meanwhile join it.
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

    /// <summary>Open sessions of the code held by the batch's client references (read under the row lock).</summary>
    private static async Task<Dictionary<string, Guid>> FindOpenSessionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid codeId, IReadOnlyList<string?> clientRefs, CancellationToken cancellationToken)
    {
        var open = new Dictionary<string, Guid>(StringComparer.Ordinal);
        var refs = clientRefs.OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        if (refs.Length == 0)
        {
            return open;
        }

        await using var find = new NpgsqlCommand(
            "SELECT client_ref, id FROM sessions WHERE code_id = $1 AND client_ref = ANY($2) AND ended_at IS NULL",
            connection,
            transaction);
        find.Parameters.Add(new NpgsqlParameter { Value = codeId });
        find.Parameters.Add(new NpgsqlParameter { Value = refs, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        await using var reader = await find.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            open[reader.GetString(0)] = reader.GetGuid(1);
        }

        return open;
    }

    private static async Task GrantAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        Guid codeId,
        List<Guid> sessionIds,
        List<string?> clientRefs,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        // Still under the row lock taken above: the usage read there is the usage we add k to.
        await using var grant = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("UPDATE access_codes SET usage_count = usage_count + $2, updated_at = $3 WHERE id = $1")
                {
                    Parameters = { new() { Value = codeId }, new() { Value = sessionIds.Count }, new() { Value = now } },
                },
                new NpgsqlBatchCommand(
                    """
                    INSERT INTO sessions (id, code_id, client_ref, started_at, last_activity)
                    SELECT id, $2, client_ref, $4, $4 FROM unnest($1, $3) AS claimed(id, client_ref)
                    """)
                {
                    Parameters =
                    {
                        new() { Value = sessionIds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
                        new() { Value = codeId },
                        new() { Value = clientRefs.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar },
                        new() { Value = now },
                    },
                },
            },
        };
        await grant.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Result<SeatGrant>[] Fill(int count, Error error) =>
        Enumerable.Repeat<Result<SeatGrant>>(error, count).ToArray();

    private readonly record struct CodeRow(Guid Id, bool IsActive, DateTimeOffset? ExpiresAt, int UsageCount, int MaxUsageCount);
}
