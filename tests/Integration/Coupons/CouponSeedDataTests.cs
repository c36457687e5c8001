using Capacity.Infrastructure.Coupons.Seeding;
using Capacity.IntegrationTests.Fixtures;
using Npgsql;

namespace Capacity.IntegrationTests.Coupons;

/// <summary>build/seed's generator on a small set: counts, the status and kind split, limits kept, determinism and idempotence.</summary>
public sealed class CouponSeedDataTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    private static readonly CouponSeedPlan Small = new(Users: 2_000, Coupons: 200, Usages: 120, Seed: 7);

    [Fact]
    public async Task A_small_set_has_its_counts_split_and_limits()
    {
        await using var dataSource = NpgsqlDataSource.Create(api.ConnectionString);
        var result = await CouponSeedData.LoadAsync(dataSource, Small);

        Assert.Equal(2_000L, await api.ScalarAsync<long>("SELECT count(*) FROM users"));
        Assert.Equal(200L, await api.ScalarAsync<long>("SELECT count(*) FROM coupons WHERE code LIKE 'SEED-%'"));
        Assert.Equal(100L, await api.ScalarAsync<long>("SELECT count(*) FROM coupons WHERE code LIKE 'SEED-U-%' AND kind = 'user' AND user_id IS NOT NULL"));
        Assert.Equal(100L, await api.ScalarAsync<long>("SELECT count(*) FROM coupons WHERE code LIKE 'SEED-T-%' AND kind = 'time' AND valid_to IS NOT NULL"));
        Assert.Equal(120L, await api.ScalarAsync<long>("SELECT count(*) FROM coupons WHERE code LIKE 'SEED-%' AND status = 'active'"));
        Assert.Equal(50L, await api.ScalarAsync<long>("SELECT count(*) FROM coupons WHERE code LIKE 'SEED-%' AND status = 'expired'"));
        Assert.Equal(30L, await api.ScalarAsync<long>("SELECT count(*) FROM coupons WHERE code LIKE 'SEED-%' AND status = 'inactive'"));
        Assert.InRange(result.Usages, 100, 120);

        // Every redemption is of an active coupon, usage counts agree with the rows, and no per-user limit is passed.
        Assert.Equal(0L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM coupon_usage u JOIN coupons c ON c.id = u.coupon_id WHERE c.status <> 'active'"));
        Assert.Equal(0L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM coupons c WHERE c.usage_count <> (SELECT count(*) FROM coupon_usage u WHERE u.coupon_id = c.id)"));
        Assert.Equal(0L, await api.ScalarAsync<long>(
            """
            SELECT count(*) FROM (SELECT u.coupon_id, u.user_id, count(*) AS n FROM coupon_usage u GROUP BY 1, 2) g
            JOIN coupons c ON c.id = g.coupon_id WHERE c.per_user_limit IS NOT NULL AND g.n > c.per_user_limit
            """));
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_rows_and_a_rerun_replaces_them_leaving_other_data_alone()
    {
        var other = await api.CreateCouponAsync();
        await using var dataSource = NpgsqlDataSource.Create(api.ConnectionString);

        await CouponSeedData.LoadAsync(dataSource, Small);
        var first = await FingerprintAsync();
        await CouponSeedData.LoadAsync(dataSource, Small);
        var second = await FingerprintAsync();
        await CouponSeedData.LoadAsync(dataSource, Small with { Seed = 8 });
        var otherSeed = await FingerprintAsync();

        Assert.Equal(first, second);
        Assert.NotEqual(first, otherSeed);
        Assert.Equal(200L, await api.ScalarAsync<long>("SELECT count(*) FROM coupons WHERE code LIKE 'SEED-%'"));
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM coupons WHERE code = $1", other));
    }

    private Task<string> FingerprintAsync() => api.ScalarAsync<string>(
        """
        SELECT md5(string_agg(concat_ws('|', c.id, c.code, c.kind, c.user_id, c.status, c.discount_type, c.discount_value,
                                        c.min_order_value, c.max_discount, c.usage_limit, c.per_user_limit, c.usage_count,
                                        c.valid_from, c.valid_to), ',' ORDER BY c.code))
               || md5((SELECT string_agg(concat_ws('|', u.id, u.user_id, u.order_id, u.order_value), ',' ORDER BY u.id) FROM coupon_usage u
                       JOIN coupons s ON s.id = u.coupon_id WHERE s.code LIKE 'SEED-%'))
        FROM coupons c WHERE c.code LIKE 'SEED-%'
        """);
}
