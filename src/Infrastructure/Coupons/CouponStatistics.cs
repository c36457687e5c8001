using Capacity.Application.Common.Paging;
using Capacity.Application.Coupons;
using Capacity.Domain.Coupons;
using Npgsql;

namespace Capacity.Infrastructure.Coupons;

/// <summary>Reads of the validation log: a coupon's statistics (by the code index) and recent rows (by the time index, keyset).</summary>
internal sealed class CouponStatistics(NpgsqlDataSource dataSource) : ICouponStatistics
{
    public async Task<GetCouponStats.Response?> StatsAsync(string normalizedCode, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT usage_count FROM coupons WHERE code = $1") { Parameters = { new() { Value = normalizedCode } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            SELECT count(*), count(*) FILTER (WHERE is_valid), coalesce(avg(response_time_ms), 0),
                   coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY response_time_ms), 0)
            FROM validation_logs WHERE coupon_code = $1
            """) { Parameters = { new() { Value = normalizedCode } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            SELECT validation_reason, count(*) FROM validation_logs
            WHERE coupon_code = $1 AND NOT is_valid GROUP BY validation_reason ORDER BY validation_reason
            """) { Parameters = { new() { Value = normalizedCode } } });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var redemptions = reader.GetInt32(0);
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (validations, valid, avg, p95) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetDouble(3));
        await reader.NextResultAsync(cancellationToken);
        var byReason = new SortedDictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            byReason[reader.IsDBNull(0) ? "unknown" : reader.GetString(0)] = reader.GetInt64(1);
        }

        return new GetCouponStats.Response(
            validations, valid, validations == 0 ? 0 : (double)valid / validations, byReason, Math.Round(avg, 3), Math.Round(p95, 3), redemptions);
    }

    public async Task<IReadOnlyList<ValidationLogEntry>> RecentAsync(KeysetCursor? after, int take, CancellationToken cancellationToken)
    {
        const string columns = """
            id, coupon_code, user_id, order_id, order_value, is_valid, validation_reason, discount_applied, final_amount,
            host(ip_address), user_agent, response_time_ms, validated_at, coupon_id
            """;
        await using var command = after is { } cursor
            ? dataSource.CreateCommand($"""
                SELECT {columns} FROM validation_logs WHERE (validated_at, id) < ($1, $2)
                ORDER BY validated_at DESC, id DESC LIMIT $3
                """)
            : dataSource.CreateCommand($"SELECT {columns} FROM validation_logs ORDER BY validated_at DESC, id DESC LIMIT $1");
        if (after is { } c)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = c.At });
            command.Parameters.Add(new NpgsqlParameter { Value = c.Id });
        }

        command.Parameters.Add(new NpgsqlParameter { Value = take });
        var rows = new List<ValidationLogEntry>(take);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ValidationLogEntry(
                reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetDecimal(4), reader.GetBoolean(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetDecimal(7),
                reader.GetDecimal(8), reader.IsDBNull(9) ? null : reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.GetDouble(11), reader.GetFieldValue<DateTimeOffset>(12), reader.IsDBNull(13) ? null : reader.GetGuid(13)));
        }

        return rows;
    }
}
