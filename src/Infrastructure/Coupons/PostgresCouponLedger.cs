using Capacity.Application.Coupons;
using Capacity.Domain.Coupons;
using Capacity.Domain.Common;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Capacity.Infrastructure.Coupons;

/// <summary>
/// Redemptions in PostgreSQL. A redemption transaction locks the coupon's row first, then reads (in statements of their
/// own, whose snapshots are taken after the lock is held: decision 005) the standing redemptions of the users and orders
/// it decides for, decides them in order (<see cref="RedemptionDecision"/>), and writes the grants and the new usage count
/// in one statement. A reversal locks the coupon's row first too, so the two never deadlock on the order's unique index.
/// The check constraint <c>ck_coupons_usage_within_limit</c> and the unique index on standing (coupon, order) pairs are
/// the last line of defence.
/// </summary>
internal sealed class PostgresCouponLedger(NpgsqlDataSource dataSource, TimeProvider clock, IOptions<RedemptionOptions> options)
{
    /// <summary>How long a reversal waits for its coupon's row before giving up (a 503 busy, never a 500).</summary>
    private readonly string _lockTimeout =
        $"SET LOCAL lock_timeout = {Math.Max(1, (int)options.Value.LockTimeout.TotalMilliseconds)}";

    private const string CouponColumns =
        "id, code, kind, user_id, valid_from, valid_to, status, discount_type, discount_value, min_order_value, " +
        "max_discount, usage_limit, per_user_limit, usage_count, created_at, updated_at";

    public async Task<CouponCounts> CountsAsync(Guid couponId, string userId, string? orderId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT c.usage_count,
                   (SELECT count(*) FROM coupon_usage u WHERE u.coupon_id = c.id AND u.user_id = $2 AND u.reversed_at IS NULL),
                   $3::text IS NOT NULL AND EXISTS (
                       SELECT 1 FROM coupon_usage u WHERE u.coupon_id = c.id AND u.order_id = $3 AND u.reversed_at IS NULL)
            FROM coupons c WHERE c.id = $1
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = couponId });
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)orderId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new CouponCounts(reader.GetInt32(0), (int)reader.GetInt64(1), reader.GetBoolean(2))
            : new CouponCounts(0, 0, false);
    }

    /// <summary>
    /// One redemption transaction for the requests of one coupon (a batch of <see cref="CoalescingCouponLedger"/>). The
    /// coupon's row is locked NOWAIT: when another transaction holds it, nothing changes and <c>Collided</c> is true (the
    /// batcher backs off and retries).
    /// </summary>
    public async Task<(RedeemBatch? Batch, bool Collided)> TryRedeemAsync(
        string normalizedCode, IReadOnlyList<RedeemRequest> requests, TimeSpan statementTimeout, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        Coupon? coupon;
        try
        {
            // Bounded by the batch's earliest deadline: on a slow database the batch gives up in time and its
            // redemptions are answered busy, instead of waiting out the driver's command timeout.
            await using (var limit = new NpgsqlCommand(
                $"SET LOCAL statement_timeout = {Math.Max(1, (int)statementTimeout.TotalMilliseconds)}", connection, transaction))
            {
                await limit.ExecuteNonQueryAsync(cancellationToken);
            }

            coupon = await LockCouponAsync(connection, transaction, normalizedCode, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            return (null, true);
        }

        if (coupon is null)
        {
            return (null, false);
        }

        var (byUser, byOrder) = await StandingAsync(
            connection, transaction, coupon.Id, perUser: coupon.PerUserLimit is not null, requests, cancellationToken);
        var now = clock.GetUtcNow();
        var outcomes = RedemptionDecision.Decide(coupon, byUser, byOrder, requests, now);
        var granted = outcomes.Where(o => o.Created).Select(o => o.Redemption!).ToList();
        var usage = granted.Count == 0 ? coupon.UsageCount : await WriteAsync(connection, transaction, coupon.Id, granted, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (new RedeemBatch(coupon.Code, outcomes, usage), false);
    }

    public async Task<Result<Reversal>> ReverseAsync(Guid redemptionId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            return await ReverseOnceAsync(redemptionId, now, cancellationToken) is { } reversal
                ? reversal
                : CouponErrors.RedemptionNotFound(redemptionId);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            // The coupon's row stayed held past the lock timeout: nothing changed; the caller may retry.
            return CouponErrors.RedemptionBusy(redemptionId, options.Value.RetryAfterSeconds);
        }
    }

    private async Task<Reversal?> ReverseOnceAsync(Guid redemptionId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        const string lockSql = """
            SELECT c.id FROM coupons c
            WHERE c.id = (SELECT coupon_id FROM coupon_usage WHERE id = $1)
            FOR UPDATE OF c
            """;
        Guid couponId;
        await using (var timeout = new NpgsqlCommand(_lockTimeout, connection, transaction))
        {
            await timeout.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var lockCoupon = new NpgsqlCommand(lockSql, connection, transaction))
        {
            lockCoupon.Parameters.Add(new NpgsqlParameter { Value = redemptionId });
            if (await lockCoupon.ExecuteScalarAsync(cancellationToken) is not Guid id)
            {
                return null;
            }

            couponId = id;
        }

        // Under the coupon's lock, with a snapshot taken after it: exactly one call finds the redemption standing.
        const string reverse = """
            WITH r AS (
                UPDATE coupon_usage SET reversed_at = $2 WHERE id = $1 AND reversed_at IS NULL RETURNING coupon_id
            ), c AS (
                UPDATE coupons c SET usage_count = c.usage_count - 1, updated_at = $2 FROM r WHERE c.id = r.coupon_id
                RETURNING c.usage_count
            )
            SELECT EXISTS (SELECT 1 FROM r), coalesce((SELECT usage_count FROM c), (SELECT usage_count FROM coupons WHERE id = $3))
            """;
        await using var command = new NpgsqlCommand(reverse, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = redemptionId });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = couponId });
        bool reversed;
        int usage;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            reversed = reader.GetBoolean(0);
            usage = reader.GetInt32(1);
        }

        await transaction.CommitAsync(cancellationToken);
        return new Reversal(redemptionId, reversed, usage);
    }

    private static async Task<Coupon?> LockCouponAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string code, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"SELECT {CouponColumns} FROM coupons WHERE code = $1 FOR UPDATE NOWAIT")
                {
                    Parameters = { new() { Value = code } },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadCoupon(reader) : null;
    }

    private static async Task<(Dictionary<string, int> ByUser, Dictionary<string, Redemption> ByOrder)> StandingAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid couponId, bool perUser, IReadOnlyList<RedeemRequest> requests,
        CancellationToken cancellationToken)
    {
        var users = requests.Select(r => r.UserId).Distinct(StringComparer.Ordinal).ToArray();
        var orders = requests.Select(r => r.OrderId).Distinct(StringComparer.Ordinal).ToArray();
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                // One index probe per user and per order of the batch (a lateral lookup each): written as
                // "user_id = ANY(...)", the planner read every row of a hot coupon once it had tens of thousands
                // (measured: 100 ms per batch and growing).
                new NpgsqlBatchCommand("""
                    SELECT r.user_id, c.n FROM unnest($2::text[]) AS r(user_id)
                    CROSS JOIN LATERAL (
                        SELECT count(*) AS n FROM coupon_usage u
                        WHERE u.coupon_id = $1 AND u.user_id = r.user_id AND u.reversed_at IS NULL) c
                    WHERE c.n > 0
                    """) { Parameters = { new() { Value = couponId }, new() { Value = users } } },
                new NpgsqlBatchCommand("""
                    SELECT u.id, u.user_id, u.order_id, u.order_value, u.discount_applied, u.final_amount, u.redeemed_at
                    FROM unnest($2::text[]) AS o(order_id)
                    CROSS JOIN LATERAL (
                        SELECT * FROM coupon_usage u
                        WHERE u.coupon_id = $1 AND u.order_id = o.order_id AND u.reversed_at IS NULL LIMIT 1) u
                    """) { Parameters = { new() { Value = couponId }, new() { Value = orders } } },
            },
        };
        if (!perUser)
        {
            // Without a per-user limit nothing reads a user's standing count: one probe per order only.
            batch.BatchCommands.RemoveAt(0);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var byUser = new Dictionary<string, int>(StringComparer.Ordinal);
        if (perUser)
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                byUser[reader.GetString(0)] = (int)reader.GetInt64(1);
            }

            await reader.NextResultAsync(cancellationToken);
        }

        var byOrder = new Dictionary<string, Redemption>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            var redemption = new Redemption
            {
                Id = reader.GetGuid(0),
                CouponId = couponId,
                UserId = reader.GetString(1),
                OrderId = reader.GetString(2),
                OrderValue = reader.GetDecimal(3),
                DiscountApplied = reader.GetDecimal(4),
                FinalAmount = reader.GetDecimal(5),
                RedeemedAt = reader.GetFieldValue<DateTimeOffset>(6),
            };
            byOrder[redemption.OrderId] = redemption;
        }

        return (byUser, byOrder);
    }

    /// <summary>Inserts the grants and adds them to the coupon's count, computed from the row being updated; the new count.</summary>
    private static async Task<int> WriteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid couponId, List<Redemption> granted, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        const string sql = """
            WITH inserted AS (
                INSERT INTO coupon_usage (id, coupon_id, user_id, order_id, order_value, discount_applied, final_amount, redeemed_at)
                SELECT id, $1, user_id, order_id, order_value, discount_applied, final_amount, $8
                FROM unnest($2::uuid[], $3::text[], $4::text[], $5::numeric[], $6::numeric[], $7::numeric[])
                    AS g(id, user_id, order_id, order_value, discount_applied, final_amount)
                RETURNING 1
            )
            UPDATE coupons c SET usage_count = c.usage_count + (SELECT count(*) FROM inserted), updated_at = $8
            WHERE c.id = $1
            RETURNING c.usage_count
            """;
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = couponId });
        command.Parameters.Add(new NpgsqlParameter { Value = granted.Select(g => g.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = granted.Select(g => g.UserId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = granted.Select(g => g.OrderId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = granted.Select(g => g.OrderValue).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = granted.Select(g => g.DiscountApplied).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = granted.Select(g => g.FinalAmount).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static Coupon ReadCoupon(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0),
        Code = r.GetString(1),
        Kind = r.GetString(2) == "user" ? CouponKind.User : CouponKind.Time,
        UserId = r.IsDBNull(3) ? null : r.GetString(3),
        ValidFrom = r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4),
        ValidTo = r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5),
        Status = r.GetString(6) switch { "active" => CouponStatus.Active, "inactive" => CouponStatus.Inactive, _ => CouponStatus.Expired },
        DiscountType = r.GetString(7) == "percent" ? DiscountType.Percent : DiscountType.Fixed,
        DiscountValue = r.GetDecimal(8),
        MinOrderValue = r.IsDBNull(9) ? null : r.GetDecimal(9),
        MaxDiscount = r.IsDBNull(10) ? null : r.GetDecimal(10),
        UsageLimit = r.IsDBNull(11) ? null : r.GetInt32(11),
        PerUserLimit = r.IsDBNull(12) ? null : r.GetInt32(12),
        UsageCount = r.GetInt32(13),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(14),
        UpdatedAt = r.GetFieldValue<DateTimeOffset>(15),
    };
}
