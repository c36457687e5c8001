using Capacity.Domain.Members;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Capacity.Infrastructure.Persistence;

/// <summary>
/// A small demo data set for <c>build/run</c>: a 400-seat bulk code, a single code, a code that is full and
/// one that has expired; four coupons (DEMO-10OFF, DEMO-OFF, DEMO-USER, DEMO-OLD); a member (id number DEMO800101). Idempotent: existing rows are
/// left as they are.
/// </summary>
public static class DemoData
{
    public static async Task SeedAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        await using var command = dataSource.CreateCommand(
            """
            WITH codes AS (
                INSERT INTO access_codes (id, code, type, is_active, expires_at, usage_count, max_usage_count, created_at, updated_at)
                VALUES
                    (gen_random_uuid(), 'DEMO-BULK', 'bulk', true, NULL, 0, 400, now(), now()),
                    (gen_random_uuid(), 'DEMO-SINGLE', 'single', true, NULL, 0, 1, now(), now()),
                    (gen_random_uuid(), 'DEMO-FULL', 'bulk', true, NULL, 3, 3, now(), now()),
                    (gen_random_uuid(), 'DEMO-EXPIRED', 'bulk', true, now() - interval '1 day', 0, 50, now(), now())
                ON CONFLICT (code) DO NOTHING
                RETURNING id, code
            )
            -- The full code's three seats are held by three open sessions, so usage and sessions agree.
            INSERT INTO sessions (id, code_id, client_ref, started_at, last_activity)
            SELECT gen_random_uuid(), codes.id, 'demo-' || n, now(), now()
            FROM codes CROSS JOIN generate_series(1, 3) AS n
            WHERE codes.code = 'DEMO-FULL'
            """);
        await command.ExecuteNonQueryAsync(cancellationToken);

        // Coupons: a time coupon the examples validate and redeem, one the deactivate example switches off, a user
        // coupon and an expired one.
        await using var coupons = dataSource.CreateCommand(
            """
            INSERT INTO coupons (id, code, kind, user_id, valid_from, valid_to, status, discount_type, discount_value,
                                 min_order_value, max_discount, usage_limit, per_user_limit, usage_count, created_at, updated_at)
            VALUES
                (gen_random_uuid(), 'DEMO-10OFF', 'time', NULL, now() - interval '1 day', now() + interval '10 years', 'active',
                 'percent', 10.00, 20.00, 50.00, 100000, 5, 0, now(), now()),
                (gen_random_uuid(), 'DEMO-OFF', 'time', NULL, now() - interval '1 day', now() + interval '10 years', 'active',
                 'fixed', 5.00, NULL, NULL, NULL, NULL, 0, now(), now()),
                (gen_random_uuid(), 'DEMO-USER', 'user', 'user_0000001', NULL, NULL, 'active',
                 'fixed', 25.00, 50.00, NULL, 1, 1, 0, now(), now()),
                (gen_random_uuid(), 'DEMO-OLD', 'time', NULL, now() - interval '30 days', now() - interval '1 day', 'expired',
                 'percent', 20.00, NULL, NULL, NULL, NULL, 0, now(), now())
            ON CONFLICT (code) DO NOTHING
            """);
        await coupons.ExecuteNonQueryAsync(cancellationToken);

        // A member the lookup examples find by id number (DEMO800101).
        await using var exists = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM members WHERE id_number = 'DEMO800101')");
        if (await exists.ExecuteScalarAsync(cancellationToken) is false)
        {
            await using var next = dataSource.CreateCommand("SELECT nextval('membership_number_seq')");
            var number = MembershipNumbers.Format((long)(await next.ExecuteScalarAsync(cancellationToken))!);
            await using var member = dataSource.CreateCommand(
                """
                INSERT INTO members (member_id, id_number, firstname, surname, province_code, municipality_code, ward_code,
                                     membership_number, status, joined_at, expires_at, created_at, updated_at)
                VALUES ($1, 'DEMO800101', 'Demo', 'Member', 'GP', 'JHB', 'JHB-001', $2, 'active', now(), now() + interval '10 years',
                        now(), now())
                ON CONFLICT (id_number) DO NOTHING
                """);
            member.Parameters.Add(new NpgsqlParameter { Value = Guid.CreateVersion7() });
            member.Parameters.Add(new NpgsqlParameter { Value = number });
            await member.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
