using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Capacity.Infrastructure.Persistence;

/// <summary>
/// A small demo data set for <c>build/run</c>: a 400-seat bulk code, a single code, a code that is full and
/// one that has expired. Idempotent: existing codes are left as they are.
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
    }
}
