using System.Diagnostics;
using Capacity.Domain.Members;
using Capacity.Infrastructure.Persistence.Configurations;
using Npgsql;
using NpgsqlTypes;

namespace Capacity.Infrastructure.Members.Seeding;

/// <summary>What <see cref="MemberSeedData"/> generates.</summary>
/// <param name="Members">Members (id numbers <c>SEED0000000001</c> …).</param>
/// <param name="Seed">The same seed gives the same members (their membership numbers come from the live sequence).</param>
public sealed record MemberSeedPlan(int Members = 100_000, int Seed = 42);

public sealed record MemberSeedResult(long Members, long Active, long Expired, long Suspended, TimeSpan Time);

/// <summary>
/// Seed 002's member set for the benchmarks, loaded by binary COPY: 80 % active, 15 % expired, 5 % suspended, spread
/// over the nine province codes and their municipalities and wards. Idempotent: a re-run replaces the generated members
/// (id numbers starting <c>SEED</c>, which the API's rule allows but no registration example uses) and leaves every other
/// member alone. Membership numbers are drawn from the same sequence registration uses, so they never collide.
/// </summary>
public static class MemberSeedData
{
    public const string IdNumberPrefix = "SEED";

    private static readonly string[] Provinces = ["GP", "WC", "KZN", "EC", "FS", "LP", "MP", "NW", "NC"];
    private static readonly string[] FirstNames =
        ["Thandi", "Sipho", "Lindiwe", "Pieter", "Ayanda", "Nomvula", "Johan", "Zanele", "Themba", "Fatima", "Kabelo", "Anele", "Riaan", "Naledi", "Mandla", "Precious"];
    private static readonly string[] Surnames =
        ["Mokoena", "Dlamini", "Nkosi", "van der Merwe", "Zulu", "Botha", "Khumalo", "Naidoo", "Mahlangu", "Pillay", "Ndlovu", "Smith", "Mthembu", "Jacobs", "Sithole", "Molefe"];

    public static string IdNumber(int n) => $"{IdNumberPrefix}{n:D10}";

    public static async Task<MemberSeedResult> LoadAsync(
        NpgsqlDataSource dataSource, MemberSeedPlan plan, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        var time = Stopwatch.StartNew();
        var random = new Random(plan.Seed);

        // Dates are relative to the start of today (UTC): the same seed gives the same rows all day.
        var today = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var delete = new NpgsqlCommand($"DELETE FROM members WHERE id_number LIKE '{IdNumberPrefix}%'", connection))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        var sequence = new Queue<long>(plan.Members);
        await using (var numbers = new NpgsqlCommand(
            $"SELECT nextval('{MemberConfiguration.MembershipSequence}') FROM generate_series(1, $1)", connection))
        {
            numbers.Parameters.Add(new NpgsqlParameter { Value = plan.Members });
            await using var reader = await numbers.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                sequence.Enqueue(reader.GetInt64(0));
            }
        }

        long active = 0, expired = 0, suspended = 0;
        await using (var importer = await connection.BeginBinaryImportAsync(
            "COPY members (member_id, id_number, firstname, surname, province_code, municipality_code, ward_code, membership_number, " +
            "status, joined_at, expires_at, created_at, updated_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            var step = Math.Max(1, plan.Members / 100);
            for (var i = 1; i <= plan.Members; i++)
            {
                var roll = random.Next(100);
                var status = roll < 80 ? MemberStatus.Active : roll < 95 ? MemberStatus.Expired : MemberStatus.Suspended;
                var joined = today.AddDays(-random.Next(30, 3650));
                var expires = status == MemberStatus.Expired
                    ? today.AddDays(-random.Next(1, 29))
                    : today.AddDays(random.Next(30, 1825));
                var province = Provinces[random.Next(Provinces.Length)];
                var municipality = random.Next(1, 21);
                var ward = random.Next(1, 121);
                _ = status switch { MemberStatus.Active => active++, MemberStatus.Expired => expired++, _ => suspended++ };

                await importer.StartRowAsync(cancellationToken);
                await importer.WriteAsync(MemberId(random, joined), NpgsqlDbType.Uuid, cancellationToken);
                await importer.WriteAsync(IdNumber(i), NpgsqlDbType.Varchar, cancellationToken);
                await importer.WriteAsync(FirstNames[random.Next(FirstNames.Length)], NpgsqlDbType.Varchar, cancellationToken);
                await importer.WriteAsync(Surnames[random.Next(Surnames.Length)], NpgsqlDbType.Varchar, cancellationToken);
                await importer.WriteAsync(province, NpgsqlDbType.Varchar, cancellationToken);
                await importer.WriteAsync($"{province}-M{municipality:D2}", NpgsqlDbType.Varchar, cancellationToken);
                await importer.WriteAsync($"{province}-M{municipality:D2}-W{ward:D3}", NpgsqlDbType.Varchar, cancellationToken);
                await importer.WriteAsync(MembershipNumbers.Format(sequence.Dequeue()), NpgsqlDbType.Varchar, cancellationToken);
                await importer.WriteAsync(MemberRules.Text(status), NpgsqlDbType.Varchar, cancellationToken);
                await importer.WriteAsync(joined, NpgsqlDbType.TimestampTz, cancellationToken);
                await importer.WriteAsync(expires, NpgsqlDbType.TimestampTz, cancellationToken);
                await importer.WriteAsync(joined, NpgsqlDbType.TimestampTz, cancellationToken);
                await importer.WriteAsync(today, NpgsqlDbType.TimestampTz, cancellationToken);
                if (i % step == 0)
                {
                    progress?.Report((double)i / plan.Members);
                }
            }

            await importer.CompleteAsync(cancellationToken);
        }

        await using (var analyze = new NpgsqlCommand("ANALYZE members", connection))
        {
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }

        progress?.Report(1);
        return new MemberSeedResult(plan.Members, active, expired, suspended, time.Elapsed);
    }

    /// <summary>A UUIDv7 from the joining time and the seeded generator: the same seed gives the same ids.</summary>
    private static Guid MemberId(Random random, DateTimeOffset joined)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        var ms = joined.ToUnixTimeMilliseconds();
        for (var b = 0; b < 6; b++)
        {
            bytes[b] = (byte)(ms >> (8 * (5 - b)));
        }

        bytes[6] = (byte)(0x70 | (bytes[6] & 0x0F));
        bytes[8] = (byte)(0x80 | (bytes[8] & 0x3F));
        return new Guid(bytes, bigEndian: true);
    }
}
