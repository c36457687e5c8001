using Capacity.IntegrationTests.Fixtures;
using Npgsql;

namespace Capacity.IntegrationTests.Persistence;

/// <summary>
/// Every index of seed 003 that the schema has is used by the query it serves (EXPLAIN after ANALYZE on 5,000 coupons
/// and 50,000 redemptions): the definition read and the redemption's lock by code, the per-user count and the order
/// lookup. (The seed's partial user/time coupon indexes are not built: definitions are read by code and cached.)
/// </summary>
public sealed class CouponIndexUsageTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var seed = new NpgsqlCommand(
            """
            INSERT INTO coupons (id, code, kind, user_id, valid_from, valid_to, status, discount_type, discount_value,
                                 usage_count, created_at, updated_at)
            SELECT gen_random_uuid(), 'IDX-' || n, 'time', NULL, now() - interval '1 day', now() + interval '1 day', 'active',
                   'percent', 10, 10, now(), now()
            FROM generate_series(1, 5000) n;
            INSERT INTO coupon_usage (id, coupon_id, user_id, order_id, order_value, discount_applied, final_amount, redeemed_at,
                                      reversed_at)
            SELECT gen_random_uuid(), c.id, 'user-' || s, 'order-' || s, 100, 10, 90, now(), CASE WHEN s = 1 THEN now() END
            FROM coupons c CROSS JOIN generate_series(1, 10) s;
            ANALYZE coupons;
            ANALYZE coupon_usage;
            """,
            connection);
        await seed.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => api.ResetDatabaseAsync();

    [Fact]
    public async Task Redemption_lock_and_definition_read_find_the_coupon_by_its_code_index()
    {
        Assert.Contains("idx_coupons_code", await ExplainAsync("SELECT id, usage_count FROM coupons WHERE code = 'IDX-42' FOR UPDATE"));
    }

    [Fact]
    public async Task Validation_counts_use_the_per_user_and_the_order_indexes()
    {
        var plan = await ExplainAsync(
            """
            SELECT c.usage_count,
                   (SELECT count(*) FROM coupon_usage u WHERE u.coupon_id = c.id AND u.user_id = 'user-3' AND u.reversed_at IS NULL),
                   EXISTS (SELECT 1 FROM coupon_usage u WHERE u.coupon_id = c.id AND u.order_id = 'order-3' AND u.reversed_at IS NULL)
            FROM coupons c WHERE c.id = (SELECT id FROM coupons WHERE code = 'IDX-7')
            """);

        Assert.Contains("idx_coupon_usage_coupon_user", plan);
        Assert.Contains("idx_coupon_usage_order_lookup", plan);
    }

    [Fact]
    public async Task Redemption_reads_standing_users_and_orders_by_their_indexes()
    {
        var users = await ExplainAsync(
            """
            SELECT r.user_id, c.n FROM unnest(ARRAY['user-2', 'user-5']) AS r(user_id)
            CROSS JOIN LATERAL (
                SELECT count(*) AS n FROM coupon_usage u
                WHERE u.coupon_id = (SELECT id FROM coupons WHERE code = 'IDX-9') AND u.user_id = r.user_id AND u.reversed_at IS NULL) c
            """);
        var orders = await ExplainAsync(
            """
            SELECT u.id FROM unnest(ARRAY['order-2', 'order-5']) AS o(order_id)
            CROSS JOIN LATERAL (
                SELECT * FROM coupon_usage u
                WHERE u.coupon_id = (SELECT id FROM coupons WHERE code = 'IDX-9') AND u.order_id = o.order_id AND u.reversed_at IS NULL
                LIMIT 1) u
            """);

        Assert.Contains("idx_coupon_usage_coupon_user", users);
        Assert.Contains("idx_coupon_usage_order_lookup", orders);
    }

    [Fact]
    public async Task A_hot_coupon_grown_since_the_last_ANALYZE_still_probes_each_user_and_order_by_its_own_index()
    {
        // A flash sale: one coupon gains 20,000 redemptions before autovacuum's ANALYZE sees them, so the statistics
        // still say it has none (seed 003's 3,000 redemptions, one per user). The per-user probe must still look each user up by (coupon_id, user_id): measured,
        // a plan that read the coupon's rows by coupon_id and filtered the user cost 100+ ms per batch and grew with
        // every redemption.
        await using (var connection = new NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync();
            await using var grow = new NpgsqlCommand(
                """
                TRUNCATE coupon_usage;
                INSERT INTO coupon_usage (id, coupon_id, user_id, order_id, order_value, discount_applied, final_amount, redeemed_at)
                SELECT gen_random_uuid(), c.id, 'seed-user-' || c.code, 'seed-order-' || c.code, 100, 10, 90, now()
                FROM coupons c WHERE c.code <> 'IDX-9' ORDER BY c.code LIMIT 3000;
                ANALYZE coupon_usage;
                INSERT INTO coupon_usage (id, coupon_id, user_id, order_id, order_value, discount_applied, final_amount, redeemed_at)
                SELECT gen_random_uuid(), (SELECT id FROM coupons WHERE code = 'IDX-9'), 'hot-user-' || s, 'hot-order-' || s,
                       100, 10, 90, now()
                FROM generate_series(1, 20000) s
                """,
                connection);
            await grow.ExecuteNonQueryAsync();
        }

        var coupon = await ScalarAsync("SELECT id::text FROM coupons WHERE code = 'IDX-9'");
        var users = await ExplainAsync(
            $"""
            SELECT r.user_id, c.n FROM unnest(ARRAY['new-1', 'new-2', 'new-3']) AS r(user_id)
            CROSS JOIN LATERAL (
                SELECT count(*) AS n FROM coupon_usage u
                WHERE u.coupon_id = '{coupon}' AND u.user_id = r.user_id AND u.reversed_at IS NULL) c
            """);

        var orders = await ExplainAsync(
            $"""
            SELECT u.id FROM unnest(ARRAY['new-1', 'new-2', 'new-3']) AS o(order_id)
            CROSS JOIN LATERAL (
                SELECT * FROM coupon_usage u
                WHERE u.coupon_id = '{coupon}' AND u.order_id = o.order_id AND u.reversed_at IS NULL LIMIT 1) u
            """);

        Assert.Contains("idx_coupon_usage_coupon_user", users);
        Assert.DoesNotContain("idx_coupon_usage_order_lookup", users);
        Assert.Contains("user_id", users.Split('\n').Single(l => l.Contains("Index Cond", StringComparison.Ordinal)));
        Assert.Contains("idx_coupon_usage_order_lookup", orders);
        Assert.Contains("order_id", orders.Split('\n').Single(l => l.Contains("Index Cond", StringComparison.Ordinal)));
    }

    private async Task<string> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string> ExplainAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("EXPLAIN " + sql, connection);
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }
}
