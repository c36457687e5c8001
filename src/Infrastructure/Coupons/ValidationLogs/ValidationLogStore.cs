using System.Net;
using Capacity.Application.Common.Resilience;
using Capacity.Domain.Coupons;
using Npgsql;
using NpgsqlTypes;

namespace Capacity.Infrastructure.Coupons.ValidationLogs;

/// <summary>
/// Stores validation log rows: binary COPY straight into <c>validation_logs</c> (the fast path); when a row is already
/// there (a batch replayed from the journal after a crash, or one whose commit was not acknowledged) the COPY fails on
/// the primary key and the batch is inserted again with <c>ON CONFLICT (id) DO NOTHING</c>. So every row is stored exactly
/// once, with no session state (no temporary table: PgBouncer-safe).
/// </summary>
internal sealed class ValidationLogStore(NpgsqlDataSource dataSource, IDatabaseFaults faults)
{
    private const string Columns =
        "id, coupon_code, user_id, order_id, order_value, is_valid, validation_reason, discount_applied, final_amount, " +
        "ip_address, user_agent, response_time_ms, validated_at, coupon_id";

    public bool IsTransient(Exception e) => faults.IsUnavailable(e);

    /// <summary>Stores the rows; how many were new.</summary>
    public async Task<int> WriteAsync(IReadOnlyList<ValidationLogEntry> rows, CancellationToken cancellationToken)
    {
        try
        {
            await CopyAsync(rows, cancellationToken);
            return rows.Count;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return await InsertNewAsync(rows, cancellationToken);
        }
    }

    private async Task CopyAsync(IReadOnlyList<ValidationLogEntry> rows, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY validation_logs ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(row.Id, NpgsqlDbType.Uuid, cancellationToken);
            await importer.WriteAsync(row.CouponCode, NpgsqlDbType.Varchar, cancellationToken);
            await importer.WriteAsync(row.UserId, NpgsqlDbType.Varchar, cancellationToken);
            await WriteNullableAsync(importer, row.OrderId, NpgsqlDbType.Varchar, cancellationToken);
            await importer.WriteAsync(row.OrderValue, NpgsqlDbType.Numeric, cancellationToken);
            await importer.WriteAsync(row.IsValid, NpgsqlDbType.Boolean, cancellationToken);
            await WriteNullableAsync(importer, row.Reason, NpgsqlDbType.Varchar, cancellationToken);
            await importer.WriteAsync(row.DiscountApplied, NpgsqlDbType.Numeric, cancellationToken);
            await importer.WriteAsync(row.FinalAmount, NpgsqlDbType.Numeric, cancellationToken);
            await WriteNullableAsync(importer, Ip(row.IpAddress), NpgsqlDbType.Inet, cancellationToken);
            await WriteNullableAsync(importer, Agent(row.UserAgent), NpgsqlDbType.Varchar, cancellationToken);
            await importer.WriteAsync(row.ResponseTimeMs, NpgsqlDbType.Double, cancellationToken);
            await importer.WriteAsync(row.ValidatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await WriteNullableAsync(importer, row.CouponId, NpgsqlDbType.Uuid, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }

    private async Task<int> InsertNewAsync(IReadOnlyList<ValidationLogEntry> rows, CancellationToken cancellationToken)
    {
        var sql = $"""
            INSERT INTO validation_logs ({Columns})
            SELECT * FROM unnest($1::uuid[], $2::varchar[], $3::varchar[], $4::varchar[], $5::numeric[], $6::boolean[],
                                 $7::varchar[], $8::numeric[], $9::numeric[], $10::inet[], $11::varchar[], $12::float8[],
                                 $13::timestamptz[], $14::uuid[])
            ON CONFLICT (id) DO NOTHING
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.CouponCode).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.UserId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.OrderId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.OrderValue).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.IsValid).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Reason).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.DiscountApplied).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.FinalAmount).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => Ip(r.IpAddress)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => Agent(r.UserAgent)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.ResponseTimeMs).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.ValidatedAt).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.CouponId).ToArray() });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await importer.WriteNullAsync(cancellationToken);
        }
        else
        {
            await importer.WriteAsync(value, type, cancellationToken);
        }
    }

    private static IPAddress? Ip(string? text) => IPAddress.TryParse(text, out var ip) ? ip : null;

    private static string? Agent(string? agent) =>
        agent is { Length: > ValidationLogEntry.UserAgentMaxLength } ? agent[..ValidationLogEntry.UserAgentMaxLength] : agent;
}
