using System.Net;
using System.Text.Json;
using Capacity.Domain.Members;
using Capacity.Infrastructure.Members.Seeding;
using Capacity.IntegrationTests.Fixtures;
using Npgsql;

namespace Capacity.IntegrationTests.Members;

/// <summary>build/seed's member generator on a small set: counts and split, valid rows the API serves, determinism, idempotence.</summary>
public sealed class MemberSeedDataTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    private static readonly MemberSeedPlan Small = new(Members: 2_000, Seed: 7);

    [Fact]
    public async Task A_small_set_has_its_counts_and_split_and_the_api_serves_its_members()
    {
        await using var dataSource = NpgsqlDataSource.Create(api.ConnectionString);

        var result = await MemberSeedData.LoadAsync(dataSource, Small);

        Assert.Equal(2_000L, await api.ScalarAsync<long>("SELECT count(*) FROM members WHERE id_number LIKE 'SEED%'"));
        Assert.Equal(result.Active, await api.ScalarAsync<long>("SELECT count(*) FROM members WHERE id_number LIKE 'SEED%' AND status = 'active'"));
        Assert.Equal(2_000L, result.Active + result.Expired + result.Suspended);
        Assert.InRange(result.Active, 1_500, 1_700);
        Assert.InRange(result.Expired, 220, 380);
        Assert.InRange(result.Suspended, 50, 160);
        Assert.Equal(0L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM members WHERE id_number LIKE 'SEED%' AND status = 'expired' AND expires_at > now()"));
        Assert.Equal(2_000L, await api.ScalarAsync<long>("SELECT count(DISTINCT membership_number) FROM members WHERE id_number LIKE 'SEED%'"));
        var numbers = await api.ScalarAsync<string>("SELECT string_agg(membership_number, ',') FROM (SELECT membership_number FROM members WHERE id_number LIKE 'SEED%' LIMIT 50) m");
        Assert.All(numbers.Split(','), n => Assert.True(MembershipNumbers.IsValid(n), n));

        var reader = await api.ReaderClientAsync();
        var member = JsonDocument.Parse(await reader.GetStringAsync($"/api/members/by-id-number/{MemberSeedData.IdNumber(1234)}")).RootElement;
        Assert.Equal(7, (int)member.GetProperty("memberId").GetGuid().Version);
        Assert.Equal(HttpStatusCode.OK, (await reader.PostAsync($"/api/members/{member.GetProperty("memberId").GetGuid()}/card", null)).StatusCode);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_members_and_a_rerun_replaces_them_leaving_registered_members_alone()
    {
        await using var dataSource = NpgsqlDataSource.Create(api.ConnectionString);
        var registered = await api.CreateMemberAsync();
        await MemberSeedData.LoadAsync(dataSource, Small);
        var first = await SnapshotAsync();

        await MemberSeedData.LoadAsync(dataSource, Small);

        Assert.Equal(first, await SnapshotAsync());
        Assert.Equal(2_001L, await api.ScalarAsync<long>("SELECT count(*) FROM members"));
        Assert.Equal(1L, await api.ScalarAsync<long>($"SELECT count(*) FROM members WHERE member_id = '{registered.GetProperty("memberId").GetGuid()}'"));
    }

    /// <summary>Everything but the membership numbers (drawn from the live sequence) and the update time.</summary>
    private Task<string> SnapshotAsync() => api.ScalarAsync<string>(
        """
        SELECT md5(string_agg(concat_ws('|', member_id, id_number, firstname, surname, province_code, municipality_code, ward_code,
                                        status, joined_at, expires_at), ',' ORDER BY id_number))
        FROM members WHERE id_number LIKE 'SEED%'
        """);
}
