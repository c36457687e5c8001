using Capacity.Application.AccessCodes;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>
/// One claim transaction for a batch of claims of ONE code, in one statement: locks the code row once, grants
/// <c>k = min(new claims, free seats)</c> with one UPDATE and inserts the k sessions with one INSERT; or the
/// same for the batches of several codes in one statement and one commit (<see cref="TryGrantGroupAsync"/>).
/// The statements are in <c>Sql/*.sql</c> (<see cref="ClaimSql"/>). The table's check constraint refuses any
/// usage_count above max_usage_count, whatever the caller does; a statement PostgreSQL refuses (a held row,
/// a unique or check violation, a deadlock) changed nothing, and its batch retries with a new snapshot.
/// </summary>
internal sealed partial class ClaimStatements(
    NpgsqlDataSource database,
    IOptions<ClaimOptions> options,
    TimeProvider clock,
    ILogger<ClaimStatements> logger) : IClaimStatements
{
    // A claim statement that hangs (a sick server) is cancelled at the claims' deadline: it then changed nothing.
    private readonly int _commandTimeoutSeconds = Math.Max(1, (int)Math.Ceiling(options.Value.Deadline.TotalSeconds));

    public async Task<Result<SeatGrant>[]?[]> TryGrantGroupAsync(IReadOnlyList<CodeClaims> parts, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var codes = new string[parts.Count];
        var claims = new int[parts.Count];
        var total = 0;
        for (var i = 0; i < parts.Count; i++)
        {
            (codes[i], claims[i]) = (parts[i].Code, parts[i].Claims);
            total += parts[i].Claims;
        }

        // Two parts of one code would get two k's from one usage_count while UPDATE adds only one of them: the
        // sessions would outnumber the count. The caller never sends that; refuse it rather than trust it.
        if (codes.Distinct(StringComparer.Ordinal).Count() != codes.Length)
        {
            throw new ArgumentException("A grouped claim transaction must not hold two batches of one code.", nameof(parts));
        }

        var sessionIds = NewSessionIds(total, now);
        var sessionPart = new int[total];
        var sessionPlace = new int[total];
        for (int i = 0, s = 0; i < parts.Count; i++)
        {
            for (var place = 1; place <= claims[i]; place++, s++)
            {
                (sessionPart[s], sessionPlace[s]) = (i + 1, place);
            }
        }

        await using var grant = database.CreateCommand(ClaimSql.GrantGroup);
        grant.CommandTimeout = _commandTimeoutSeconds;
        grant.Parameters.Add(new NpgsqlParameter { Value = codes, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        grant.Parameters.Add(new NpgsqlParameter { Value = claims, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        grant.Parameters.Add(new NpgsqlParameter { Value = sessionIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        grant.Parameters.Add(new NpgsqlParameter { Value = sessionPart, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        grant.Parameters.Add(new NpgsqlParameter { Value = sessionPlace, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
        grant.Parameters.Add(new NpgsqlParameter { Value = now });

        var outcomes = new Result<SeatGrant>[]?[parts.Count];
        var answered = 0;
        var firstSession = 0;
        try
        {
            await using var reader = await grant.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (answered == parts.Count)
                {
                    throw new InvalidOperationException($"The grouped claim statement answered more than {parts.Count} parts.");
                }

                var (code, count) = (codes[answered], claims[answered]);
                outcomes[answered] = !reader.GetBoolean(0)
                    ? reader.GetBoolean(1) ? null : Fill(count, AccessCodeErrors.NotFound(code))
                    : !reader.GetBoolean(2) ? Fill(count, AccessCodeErrors.Inactive(code))
                    : !reader.IsDBNull(3) && reader.GetFieldValue<DateTimeOffset>(3) <= now ? Fill(count, AccessCodeErrors.Expired(code))
                    : Granted(code, sessionIds.AsSpan(firstSession, count), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6));
                firstSession += count;
                answered++;
            }
        }
        catch (PostgresException e) when (IsRefusal(e))
        {
            // The whole statement changed nothing: every part retries, as if its row had been held.
            Refused(e, string.Join(',', codes));
            return new Result<SeatGrant>[]?[parts.Count];
        }

        return answered == parts.Count
            ? outcomes
            : throw new InvalidOperationException($"The grouped claim statement answered {answered} of {parts.Count} parts.");
    }

    // A one-code statement starts at once; it is bounded by its command timeout (the claims' deadline length).
    public Task<Result<SeatGrant>[]?> TryGrantAsync(
        string code, IReadOnlyList<string?> clientRefs, DateTimeOffset deadline, CancellationToken cancellationToken) =>
        clientRefs.All(r => r is null)
            ? TryGrantAnonymousAsync(code, clientRefs.Count, cancellationToken)
            : TryGrantWithReferencesAsync(code, clientRefs, cancellationToken);

    private async Task<Result<SeatGrant>[]?> TryGrantAnonymousAsync(string code, int claims, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var sessionIds = NewSessionIds(claims, now);
        await using var grant = database.CreateCommand(ClaimSql.GrantAnonymous);
        grant.CommandTimeout = _commandTimeoutSeconds;
        grant.Parameters.Add(new NpgsqlParameter { Value = code });
        grant.Parameters.Add(new NpgsqlParameter { Value = sessionIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        grant.Parameters.Add(new NpgsqlParameter { Value = now });
        try
        {
            await using var reader = await grant.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return Fill(claims, AccessCodeErrors.NotFound(code));
            }

            if (!reader.GetBoolean(0))
            {
                return Fill(claims, AccessCodeErrors.Inactive(code));
            }

            if (!reader.IsDBNull(1) && reader.GetFieldValue<DateTimeOffset>(1) <= now)
            {
                return Fill(claims, AccessCodeErrors.Expired(code));
            }

            return Granted(code, sessionIds, reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4));
        }
        catch (PostgresException e) when (IsRefusal(e))
        {
            // Another transaction holds the code row (or PostgreSQL refused the statement): it changed nothing.
            Refused(e, code);
            return null;
        }
    }

    private async Task<Result<SeatGrant>[]?> TryGrantWithReferencesAsync(
        string code, IReadOnlyList<string?> clientRefs, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var sessionIds = NewSessionIds(clientRefs.Count, now);
        await using var grant = database.CreateCommand(ClaimSql.GrantWithReferences);
        grant.CommandTimeout = _commandTimeoutSeconds;
        grant.Parameters.Add(new NpgsqlParameter { Value = code });
        grant.Parameters.Add(new NpgsqlParameter { Value = sessionIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        grant.Parameters.Add(new NpgsqlParameter { Value = clientRefs.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Varchar });
        grant.Parameters.Add(new NpgsqlParameter { Value = now });

        var results = new Result<SeatGrant>[clientRefs.Count];
        var answered = 0;
        try
        {
            await using var reader = await grant.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var outcome = reader.GetString(0);
                var maxUsageCount = reader.GetInt32(3);
                results[answered++] = outcome switch
                {
                    "granted" => new SeatGrant(reader.GetGuid(1), code, reader.GetInt32(2), maxUsageCount, Resumed: false),
                    "resumed" => new SeatGrant(reader.GetGuid(1), code, reader.GetInt32(2), maxUsageCount, Resumed: true),
                    "full" => AccessCodeErrors.Full(code, maxUsageCount),
                    "inactive" => AccessCodeErrors.Inactive(code),
                    "expired" => AccessCodeErrors.Expired(code),
                    _ => throw new InvalidOperationException($"Unknown claim outcome '{outcome}'."),
                };
            }
        }
        catch (PostgresException e) when (IsRefusal(e))
        {
            // Another transaction holds the code row or one of the sessions, or another instance opened a
            // session for one of our client references after this statement's snapshot (the unique index
            // refused the second seat). The statement changed nothing: the batch retries with a new snapshot.
            Refused(e, code);
            return null;
        }

        if (answered == 0)
        {
            // No row at all: the code does not exist (the statement locked and changed nothing).
            return Fill(clientRefs.Count, AccessCodeErrors.NotFound(code));
        }

        return answered == clientRefs.Count
            ? results
            : throw new InvalidOperationException($"The claim statement of {code} answered {answered} of {clientRefs.Count} claims.");
    }

    /// <summary>The guard against overselling (the table's check constraint on usage_count).</summary>
    internal const string UsageGuard = "ck_access_codes_usage_within_capacity";

    /// <summary>One open session per (code, client reference).</summary>
    internal const string OpenClientRefIndex = "ux_sessions_open_client_ref";

    /// <summary>
    /// PostgreSQL refused the statement, which therefore changed nothing, for a reason a new snapshot can clear:
    /// a code or session row another transaction held (NOWAIT), the open-session index (another instance
    /// opened a session for the same client reference), the usage guard (it must never fire; if it does, the
    /// batch retries rather than fail), a deadlock or a serialization failure. Any other constraint is a bug,
    /// not contention: it is not retried, so it surfaces at once (500, logged) instead of as 503s until the
    /// deadline.
    /// </summary>
    private static bool IsRefusal(PostgresException e) => e.SqlState switch
    {
        PostgresErrorCodes.LockNotAvailable or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure => true,
        PostgresErrorCodes.CheckViolation => e.ConstraintName == UsageGuard,
        PostgresErrorCodes.UniqueViolation => e.ConstraintName == OpenClientRefIndex,
        _ => false,
    };

    private void Refused(PostgresException e, string code)
    {
        var reason = e.SqlState switch
        {
            PostgresErrorCodes.LockNotAvailable => "row_locked",
            PostgresErrorCodes.UniqueViolation => "unique_violation",
            PostgresErrorCodes.CheckViolation => "check_violation",
            _ => "conflict",
        };
        ClaimMetrics.StatementRefusals.Add(1, new KeyValuePair<string, object?>("reason", reason));
        if (e.SqlState == PostgresErrorCodes.CheckViolation)
        {
            LogGuardFired(logger, e.ConstraintName, code);
        }
        else if (reason != "row_locked")
        {
            LogRefused(logger, code, e.SqlState);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The check constraint {Constraint} refused a claim transaction of {Code}; it changed nothing and its claims retry with a new snapshot.")]
    private static partial void LogGuardFired(ILogger logger, string? constraint, string code);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "PostgreSQL refused a claim transaction of {Code} ({SqlState}); it changed nothing and its claims retry.")]
    private static partial void LogRefused(ILogger logger, string code, string sqlState);

    private static Guid[] NewSessionIds(int count, DateTimeOffset now)
    {
        var ids = new Guid[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = Guid.CreateVersion7(now);
        }

        return ids;
    }

    /// <summary>The first <paramref name="granted"/> claims got the sessions of their place; the rest found the code full.</summary>
    private static Result<SeatGrant>[] Granted(
        string code, ReadOnlySpan<Guid> sessionIds, int usageBefore, int maxUsageCount, int granted)
    {
        var results = new Result<SeatGrant>[sessionIds.Length];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = i < granted
                ? new SeatGrant(sessionIds[i], code, usageBefore + i + 1, maxUsageCount, Resumed: false)
                : AccessCodeErrors.Full(code, maxUsageCount);
        }

        return results;
    }

    private static Result<SeatGrant>[] Fill(int count, Error error) =>
        Enumerable.Repeat<Result<SeatGrant>>(error, count).ToArray();
}
