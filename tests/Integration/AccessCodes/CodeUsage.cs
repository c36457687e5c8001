using Npgsql;

namespace Capacity.IntegrationTests.AccessCodes;

/// <summary>One access code's seats as PostgreSQL holds them: the counter and the open sessions behind it.</summary>
public sealed record CodeUsage(string Code, int UsageCount, int MaxUsageCount, int OpenSessions)
{
    /// <summary>The codes' counters and open sessions, read in one statement (so in one snapshot).</summary>
    public static async Task<IReadOnlyDictionary<string, CodeUsage>> ReadAsync(string connectionString, IEnumerable<string> codes)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand(
            """
            SELECT a.code, a.usage_count, a.max_usage_count,
                   (SELECT count(*) FROM sessions s WHERE s.code_id = a.id AND s.ended_at IS NULL)::int
            FROM access_codes a
            WHERE a.code = ANY ($1)
            """,
            connection);
        read.Parameters.Add(new NpgsqlParameter { Value = codes.ToArray() });
        var usage = new Dictionary<string, CodeUsage>(StringComparer.Ordinal);
        await using var reader = await read.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var row = new CodeUsage(reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3));
            usage[row.Code] = row;
        }

        return usage;
    }

    /// <summary>
    /// The most codes whose sessions one transaction inserted (sessions inserted together share their xmin, as
    /// long as nothing updated them since): above 1 only when claims of different codes shared a transaction.
    /// </summary>
    public static async Task<int> MostCodesPerClaimTransactionAsync(string connectionString, IEnumerable<string> codes)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand(
            """
            SELECT coalesce(max(t.codes), 0)::int
            FROM (SELECT count(DISTINCT s.code_id) AS codes
                  FROM sessions s JOIN access_codes a ON a.id = s.code_id
                  WHERE a.code = ANY ($1)
                  GROUP BY s.xmin::text) t
            """,
            connection);
        read.Parameters.Add(new NpgsqlParameter { Value = codes.ToArray() });
        return (int)(await read.ExecuteScalarAsync())!;
    }
}
