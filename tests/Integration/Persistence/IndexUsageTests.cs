using Capacity.IntegrationTests.Fixtures;
using Npgsql;

namespace Capacity.IntegrationTests.Persistence;

/// <summary>
/// Every index of seed 000 that the schema has is used by the query it was built for (EXPLAIN on a table
/// of realistic size, after ANALYZE): an index no query uses would only slow every write.
/// </summary>
public sealed class IndexUsageTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var seed = new NpgsqlCommand(
            """
            INSERT INTO access_codes (id, code, type, is_active, usage_count, max_usage_count, created_at, updated_at)
            SELECT gen_random_uuid(), 'IDX-' || n, 'bulk', true, 4, 400, now(), now() FROM generate_series(1, 5000) n;
            INSERT INTO sessions (id, code_id, client_ref, started_at, last_activity, ended_at)
            SELECT gen_random_uuid(), a.id, 'client-' || s, now(), now() - (s || ' minutes')::interval,
                   CASE WHEN s > 4 THEN now() END
            FROM access_codes a CROSS JOIN generate_series(1, 8) s;
            ANALYZE access_codes;
            ANALYZE sessions;
            """,
            connection);
        await seed.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => api.ResetDatabaseAsync();

    [Fact]
    public async Task Claim_lock_finds_the_code_by_the_capacity_check_index()
    {
        var plan = await ExplainAsync(
            "SELECT id, is_active, expires_at, usage_count, max_usage_count FROM access_codes WHERE code = 'IDX-42' FOR UPDATE NOWAIT");

        Assert.Contains("idx_access_codes_bulk_capacity_check", plan);
    }

    [Fact]
    public async Task Usage_batch_counts_open_sessions_by_the_active_sessions_index()
    {
        var plan = await ExplainAsync(
            """
            SELECT a.code, a.usage_count,
                   (SELECT count(*) FROM sessions s WHERE s.code_id = a.id AND s.ended_at IS NULL)
            FROM access_codes a WHERE a.code = ANY(ARRAY['IDX-1', 'IDX-2', 'IDX-3'])
            """);

        Assert.Contains("idx_access_codes_bulk_capacity_check", plan);
        Assert.Contains("idx_sessions_active_by_code", plan);
    }

    [Fact]
    public async Task Cleanup_finds_idle_open_sessions_by_the_cleanup_index()
    {
        var plan = await ExplainAsync(
            "UPDATE sessions SET ended_at = now() WHERE ended_at IS NULL AND last_activity < now() - interval '3 minutes 30 seconds' RETURNING code_id");

        Assert.Contains("idx_sessions_bulk_cleanup", plan);
    }

    [Fact]
    public async Task Client_ref_lookup_uses_the_open_sessions_unique_index()
    {
        var plan = await ExplainAsync(
            """
            SELECT client_ref, id FROM sessions
            WHERE code_id = (SELECT id FROM access_codes WHERE code = 'IDX-7')
              AND client_ref = ANY(ARRAY['client-1']) AND ended_at IS NULL
            """);

        Assert.Contains("ux_sessions_open_client_ref", plan);
    }

    private async Task<string> ExplainAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var explain = new NpgsqlCommand("EXPLAIN " + sql, connection, transaction);
        var lines = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        await transaction.RollbackAsync();
        return string.Join('\n', lines);
    }
}
