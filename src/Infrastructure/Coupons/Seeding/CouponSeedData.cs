using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace Capacity.Infrastructure.Coupons.Seeding;

/// <summary>What <see cref="CouponSeedData"/> generates.</summary>
/// <param name="Users">Rows of the generator's <c>users</c> table (<c>user_0000001</c> …).</param>
/// <param name="Coupons">Coupons: half user coupons (<c>SEED-U-00001</c> …), half time coupons (<c>SEED-T-00001</c> …).</param>
/// <param name="Usages">Redemptions to spread over active coupons (about; limits can leave a few out).</param>
/// <param name="Seed">The same seed gives the same rows.</param>
public sealed record CouponSeedPlan(int Users = 1_000_000, int Coupons = 5_000, int Usages = 3_000, int Seed = 42);

/// <summary>Rows written and how long each part took.</summary>
public sealed record CouponSeedResult(long Users, long Coupons, long Usages, TimeSpan UsersTime, TimeSpan CouponsTime, TimeSpan Total);

/// <summary>
/// Seed 003's benchmark data set, loaded by binary COPY: users, coupons (user and time, 60 % active, 25 % expired,
/// 15 % inactive) and redemptions within their limits. Deterministic for a seed, and idempotent: a re-run replaces the
/// generated rows (users, <c>SEED-*</c> coupons and their redemptions) and leaves every other row alone. The <c>users</c>
/// table belongs to the generator: the API owns no user accounts (a coupon's <c>userId</c> is the shop's own id).
/// </summary>
public static class CouponSeedData
{
    public const string CouponPrefix = "SEED-";

    public static async Task<CouponSeedResult> LoadAsync(
        NpgsqlDataSource dataSource, CouponSeedPlan plan, IProgress<(string Part, double Fraction)>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var total = Stopwatch.StartNew();
        var random = new Random(plan.Seed);
        // Dates are relative to the start of today (UTC): the same seed gives the same rows all day.
        var now = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, """
            CREATE TABLE IF NOT EXISTS users (
                id varchar(64) PRIMARY KEY,
                email varchar(255) NOT NULL,
                name varchar(100) NOT NULL,
                created_at timestamptz NOT NULL);
            DELETE FROM coupon_usage WHERE coupon_id IN (SELECT id FROM coupons WHERE code LIKE 'SEED-%');
            DELETE FROM coupons WHERE code LIKE 'SEED-%';
            TRUNCATE users;
            """, cancellationToken);

        var usersTime = Stopwatch.StartNew();
        await using (var users = await connection.BeginBinaryImportAsync("COPY users (id, email, name, created_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            var step = Math.Max(1, plan.Users / 100);
            for (var i = 1; i <= plan.Users; i++)
            {
                var id = UserId(i);
                await users.StartRowAsync(cancellationToken);
                await users.WriteAsync(id, NpgsqlDbType.Varchar, cancellationToken);
                await users.WriteAsync($"{id}@example.test", NpgsqlDbType.Varchar, cancellationToken);
                await users.WriteAsync($"User {i}", NpgsqlDbType.Varchar, cancellationToken);
                await users.WriteAsync(now.AddMinutes(-random.Next(0, 525_600)), NpgsqlDbType.TimestampTz, cancellationToken);
                if (i % step == 0)
                {
                    progress?.Report(("users", (double)i / plan.Users));
                }
            }

            await users.CompleteAsync(cancellationToken);
        }

        usersTime.Stop();
        var couponsTime = Stopwatch.StartNew();
        var coupons = Coupons(plan, random, now);
        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY coupons (id, code, kind, user_id, valid_from, valid_to, status, discount_type, discount_value, min_order_value, " +
            "max_discount, usage_limit, per_user_limit, usage_count, created_at, updated_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var c in coupons)
            {
                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(c.Id, NpgsqlDbType.Uuid, cancellationToken);
                await importer.WriteAsync(c.Code, NpgsqlDbType.Varchar, cancellationToken);
                await importer.WriteAsync(c.Kind, NpgsqlDbType.Varchar, cancellationToken);
                await WriteAsync(importer, c.UserId, NpgsqlDbType.Varchar, cancellationToken);
                await WriteAsync(importer, c.ValidFrom, NpgsqlDbType.TimestampTz, cancellationToken);
                await WriteAsync(importer, c.ValidTo, NpgsqlDbType.TimestampTz, cancellationToken);
                await importer.WriteAsync(c.Status, NpgsqlDbType.Varchar, cancellationToken);
                await importer.WriteAsync(c.DiscountType, NpgsqlDbType.Varchar, cancellationToken);
                await importer.WriteAsync(c.DiscountValue, NpgsqlDbType.Numeric, cancellationToken);
                await WriteAsync(importer, c.MinOrderValue, NpgsqlDbType.Numeric, cancellationToken);
                await WriteAsync(importer, c.MaxDiscount, NpgsqlDbType.Numeric, cancellationToken);
                await WriteAsync(importer, c.UsageLimit, NpgsqlDbType.Integer, cancellationToken);
                await WriteAsync(importer, c.PerUserLimit, NpgsqlDbType.Integer, cancellationToken);
                await importer.WriteAsync(c.Usages.Count, NpgsqlDbType.Integer, cancellationToken);
                await importer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
                await importer.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
            }

            await importer.CompleteAsync(cancellationToken);
        }

        progress?.Report(("coupons", 1));
        var usages = 0L;
        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY coupon_usage (id, coupon_id, user_id, order_id, order_value, discount_applied, final_amount, redeemed_at) FROM STDIN (FORMAT BINARY)",
            cancellationToken))
        {
            foreach (var c in coupons)
            {
                foreach (var u in c.Usages)
                {
                    await importer.StartRowAsync(cancellationToken);
                    await importer.WriteAsync(u.Id, NpgsqlDbType.Uuid, cancellationToken);
                    await importer.WriteAsync(c.Id, NpgsqlDbType.Uuid, cancellationToken);
                    await importer.WriteAsync(u.UserId, NpgsqlDbType.Varchar, cancellationToken);
                    await importer.WriteAsync(u.OrderId, NpgsqlDbType.Varchar, cancellationToken);
                    await importer.WriteAsync(u.OrderValue, NpgsqlDbType.Numeric, cancellationToken);
                    await importer.WriteAsync(u.Discount, NpgsqlDbType.Numeric, cancellationToken);
                    await importer.WriteAsync(u.OrderValue - u.Discount, NpgsqlDbType.Numeric, cancellationToken);
                    await importer.WriteAsync(now.AddHours(-random.Next(1, 2000)), NpgsqlDbType.TimestampTz, cancellationToken);
                    usages++;
                }
            }

            await importer.CompleteAsync(cancellationToken);
        }

        await ExecuteAsync(connection, "ANALYZE users; ANALYZE coupons; ANALYZE coupon_usage;", cancellationToken);
        progress?.Report(("usages", 1));
        couponsTime.Stop();
        return new CouponSeedResult(plan.Users, coupons.Count, usages, usersTime.Elapsed, couponsTime.Elapsed, total.Elapsed);
    }

    public static string UserId(int n) => $"user_{n:D7}";

    private sealed record SeedUsage(Guid Id, string UserId, string OrderId, decimal OrderValue, decimal Discount);

    private sealed record SeedCoupon(
        Guid Id, string Code, string Kind, string? UserId, DateTimeOffset? ValidFrom, DateTimeOffset? ValidTo, string Status,
        string DiscountType, decimal DiscountValue, decimal? MinOrderValue, decimal? MaxDiscount, int? UsageLimit, int? PerUserLimit)
    {
        public List<SeedUsage> Usages { get; } = [];
    }

    private static List<SeedCoupon> Coupons(CouponSeedPlan plan, Random random, DateTimeOffset now)
    {
        // Exactly 60 % active, 25 % expired, 15 % inactive (rounded), in a seeded shuffle.
        var statuses = new string[plan.Coupons];
        var active = (int)Math.Round(plan.Coupons * 0.60);
        var expired = (int)Math.Round(plan.Coupons * 0.25);
        for (var i = 0; i < plan.Coupons; i++)
        {
            statuses[i] = i < active ? "active" : i < active + expired ? "expired" : "inactive";
        }

        random.Shuffle(statuses);
        var userCoupons = plan.Coupons / 2;
        var coupons = new List<SeedCoupon>(plan.Coupons);
        for (var i = 0; i < plan.Coupons; i++)
        {
            var user = i < userCoupons;
            var status = statuses[i];
            var percent = random.Next(2) == 0;
            var from = status == "expired" ? now.AddDays(-random.Next(60, 120)) : now.AddDays(-random.Next(1, 30));
            var to = status == "expired" ? now.AddDays(-random.Next(1, 30)) : now.AddDays(random.Next(30, 365));
            coupons.Add(new SeedCoupon(
                Guid(random),
                user ? $"{CouponPrefix}U-{i + 1:D5}" : $"{CouponPrefix}T-{i - userCoupons + 1:D5}",
                user ? "user" : "time",
                user ? UserId(random.Next(1, Math.Max(2, plan.Users + 1))) : null,
                user && random.Next(2) == 0 ? null : from,
                user && random.Next(2) == 0 ? null : to,
                status,
                percent ? "percent" : "fixed",
                percent ? random.Next(5, 51) : random.Next(5, 101),
                random.Next(3) == 0 ? random.Next(10, 200) : null,
                percent && random.Next(2) == 0 ? random.Next(20, 100) : null,
                random.Next(4) == 0 ? null : random.Next(1, 1000),
                random.Next(3) == 0 ? null : random.Next(1, 4)));
        }

        // Redemptions of active coupons within their limits: the total, the per-user, one per order.
        var candidates = coupons.Where(c => c.Status == "active").ToList();
        var order = 0;
        for (var attempt = 0; attempt < plan.Usages * 3 && candidates.Count > 0; attempt++)
        {
            if (order >= plan.Usages)
            {
                break;
            }

            var coupon = candidates[random.Next(candidates.Count)];
            var userId = coupon.UserId ?? UserId(random.Next(1, Math.Max(2, plan.Users + 1)));
            if ((coupon.UsageLimit is { } limit && coupon.Usages.Count >= limit)
                || (coupon.PerUserLimit is { } perUser && coupon.Usages.Count(u => u.UserId == userId) >= perUser))
            {
                continue;
            }

            var value = random.Next(coupon.MinOrderValue is { } min ? (int)min : 10, 1000);
            var discount = coupon.DiscountType == "percent"
                ? Math.Min(coupon.MaxDiscount ?? decimal.MaxValue, Math.Round(value * coupon.DiscountValue / 100m, 2, MidpointRounding.AwayFromZero))
                : Math.Min(coupon.DiscountValue, value);
            coupon.Usages.Add(new SeedUsage(Guid(random), userId, $"seed-order-{++order:D7}", value, discount));
        }

        return coupons;
    }

    private static Guid Guid(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    private static async Task WriteAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
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

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
