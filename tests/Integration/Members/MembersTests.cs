using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.Application.Members;
using Capacity.Domain.Members;
using Capacity.IntegrationTests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using ZiggyCreatures.Caching.Fusion;

namespace Capacity.IntegrationTests.Members;

/// <summary>Members end to end: registration, both lookups, changes (seen at once through the cache), and every refusal.</summary>
public sealed class MembersTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>, IAsyncLifetime
{
    private HttpClient _reader = null!;

    public async Task InitializeAsync() => _reader = await api.ReaderClientAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_registered_member_has_an_id_a_checked_membership_number_and_both_lookups_find_it()
    {
        var idNumber = MemberApi.NewIdNumber().ToLowerInvariant();
        var created = await api.CreateMemberAsync(new { idNumber, firstName = "  Sipho ", status = "suspended" });

        var memberId = created.GetProperty("memberId").GetGuid();
        var number = created.GetProperty("membershipNumber").GetString();
        Assert.Equal(7, (int)memberId.Version);
        Assert.True(MembershipNumbers.IsValid(number), number);
        Assert.Equal(idNumber.ToUpperInvariant(), created.GetProperty("idNumber").GetString());
        Assert.Equal("Sipho", created.GetProperty("firstName").GetString());
        Assert.Equal("suspended", created.GetProperty("status").GetString());

        var byId = JsonDocument.Parse(await _reader.GetStringAsync($"/api/members/{memberId}")).RootElement;
        var byIdNumber = JsonDocument.Parse(await _reader.GetStringAsync($"/api/members/by-id-number/{idNumber}")).RootElement;
        Assert.Equal(created.GetRawText(), byId.GetRawText());
        Assert.Equal(created.GetRawText(), byIdNumber.GetRawText());
    }

    [Fact]
    public async Task Membership_numbers_are_unique_and_increasing()
    {
        var numbers = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            numbers.Add((await api.CreateMemberAsync()).GetProperty("membershipNumber").GetString()!);
        }

        Assert.Equal(numbers.Distinct().Count(), numbers.Count);
        Assert.Equal(numbers.Order(StringComparer.Ordinal), numbers);
    }

    [Fact]
    public async Task A_taken_id_number_is_409_member_exists_whatever_its_case()
    {
        var idNumber = MemberApi.NewIdNumber();
        await api.CreateMemberAsync(new { idNumber });

        var again = await api.AdminClient.PostAsJsonAsync("/api/admin/members", new
        {
            idNumber = idNumber.ToLowerInvariant(), firstName = "A", surname = "B", provinceCode = "GP", municipalityCode = "JHB",
            wardCode = "1", expiresAt = DateTimeOffset.UtcNow.AddYears(1),
        });

        var problem = await Problems.AssertAsync(again, HttpStatusCode.Conflict, "member-exists");
        Assert.DoesNotContain(idNumber, problem.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Unknown_members_are_404_and_a_lookup_before_registration_is_forgotten_once_registered()
    {
        var idNumber = MemberApi.NewIdNumber();
        await Problems.AssertAsync(await _reader.GetAsync($"/api/members/by-id-number/{idNumber}"), HttpStatusCode.NotFound, "member-not-found");
        await Problems.AssertAsync(await _reader.GetAsync($"/api/members/{Guid.CreateVersion7()}"), HttpStatusCode.NotFound, "member-not-found");

        var created = await api.CreateMemberAsync(new { idNumber });

        var found = JsonDocument.Parse(await _reader.GetStringAsync($"/api/members/by-id-number/{idNumber}")).RootElement;
        Assert.Equal(created.GetProperty("memberId").GetGuid(), found.GetProperty("memberId").GetGuid());
    }

    [Fact]
    public async Task An_update_is_seen_at_once_by_both_cached_lookups()
    {
        var created = await api.CreateMemberAsync();
        var memberId = created.GetProperty("memberId").GetGuid();
        var idNumber = created.GetProperty("idNumber").GetString();
        await _reader.GetStringAsync($"/api/members/{memberId}");
        await _reader.GetStringAsync($"/api/members/by-id-number/{idNumber}");
        var expires = new DateTimeOffset(2031, 6, 30, 0, 0, 0, TimeSpan.Zero);

        var update = await api.AdminClient.PutAsJsonAsync($"/api/admin/members/{memberId}", new
        {
            firstName = "Lindiwe", surname = "Dube-Nkosi", status = "expired", expiresAt = expires,
        });

        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        foreach (var path in new[] { $"/api/members/{memberId}", $"/api/members/by-id-number/{idNumber}" })
        {
            var member = JsonDocument.Parse(await _reader.GetStringAsync(path)).RootElement;
            Assert.Equal("Dube-Nkosi", member.GetProperty("surname").GetString());
            Assert.Equal("expired", member.GetProperty("status").GetString());
            Assert.Equal(expires, member.GetProperty("expiresAt").GetDateTimeOffset());
            Assert.Equal(created.GetProperty("membershipNumber").GetString(), member.GetProperty("membershipNumber").GetString());
        }
    }

    [Fact]
    public async Task Cached_gets_say_how_they_were_served_and_a_registration_or_an_update_writes_the_lookups_through()
    {
        var created = await api.CreateMemberAsync();
        var memberId = created.GetProperty("memberId").GetGuid();
        var byId = $"/api/members/{memberId}";
        var byIdNumber = $"/api/members/by-id-number/{created.GetProperty("idNumber").GetString()}";

        // The registration wrote both lookups; a removed entry is read again (miss), then served from the cache.
        Assert.Equal(["hit", "hit"], [await ServedAsync(byId), await ServedAsync(byIdNumber)]);
        await api.Services.GetRequiredService<IFusionCache>().RemoveAsync(MemberCache.MemberKey(memberId));
        Assert.Equal(["miss", "hit"], [await ServedAsync(byId), await ServedAsync(byId)]);
        Assert.Equal(["miss", "hit"], [await ServedAsync($"{byId}/card.png"), await ServedAsync($"{byId}/card.png")]);

        await api.AdminClient.PutAsJsonAsync($"/api/admin/members/{memberId}", new
        {
            firstName = "A", surname = "B", status = "active", expiresAt = DateTimeOffset.UtcNow.AddYears(1),
        });

        // The update wrote the lookups (the change itself, served at once) and removed the card's image.
        Assert.Equal(["hit", "hit", "miss"], [await ServedAsync(byId), await ServedAsync(byIdNumber), await ServedAsync($"{byId}/card.png")]);
        var hit = await _reader.GetAsync(byId);
        Assert.Equal("B", JsonDocument.Parse(await hit.Content.ReadAsStringAsync()).RootElement.GetProperty("surname").GetString());
        Assert.False(hit.Headers.Contains("Age"));
        Assert.False((await api.AdminClient.GetAsync("/api/admin/clients")).Headers.Contains("X-Cache"));
    }

    private async Task<string> ServedAsync(string path)
    {
        var response = await _reader.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("X-Cache").Single();
    }

    [Fact]
    public async Task Updates_refuse_unknown_members_and_an_expiry_before_joining()
    {
        var created = await api.CreateMemberAsync(new { joinedAt = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero) });
        var memberId = created.GetProperty("memberId").GetGuid();
        var body = new { firstName = "A", surname = "B", status = "active", expiresAt = new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero) };

        await Problems.AssertAsync(await api.AdminClient.PutAsJsonAsync($"/api/admin/members/{memberId}", body), HttpStatusCode.UnprocessableEntity, "member-expiry-before-joining");
        await Problems.AssertAsync(await api.AdminClient.PutAsJsonAsync($"/api/admin/members/{Guid.CreateVersion7()}", body with { expiresAt = DateTimeOffset.UtcNow.AddYears(1) }), HttpStatusCode.NotFound, "member-not-found");
        await Problems.AssertAsync(await api.AdminClient.PutAsJsonAsync($"/api/admin/members/{memberId}", new { firstName = "A", surname = "B", status = "gone", expiresAt = DateTimeOffset.UtcNow.AddYears(1) }), HttpStatusCode.BadRequest, "validation");
    }

    [Theory]
    [InlineData("idNumber", "12345")]
    [InlineData("idNumber", "123456789012345678901")]
    [InlineData("idNumber", "1234-5678")]
    [InlineData("firstName", "")]
    [InlineData("surname", "line\nbreak")]
    [InlineData("wardCode", "ward 7")]
    [InlineData("status", "retired")]
    public async Task Bad_registrations_are_400_naming_the_field(string field, string value)
    {
        var body = new Dictionary<string, object?>
        {
            ["idNumber"] = MemberApi.NewIdNumber(), ["firstName"] = "A", ["surname"] = "B", ["provinceCode"] = "GP",
            ["municipalityCode"] = "JHB", ["wardCode"] = "1", ["expiresAt"] = DateTimeOffset.UtcNow.AddYears(1),
            [field] = value,
        };

        var problem = await Problems.AssertAsync(await api.AdminClient.PostAsJsonAsync("/api/admin/members", body), HttpStatusCode.BadRequest, "validation");

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
    }

    [Fact]
    public async Task An_expiry_not_after_joining_is_400()
    {
        var body = new
        {
            idNumber = MemberApi.NewIdNumber(), firstName = "A", surname = "B", provinceCode = "GP", municipalityCode = "JHB", wardCode = "1",
            expiresAt = DateTimeOffset.UtcNow.AddDays(-1),
        };

        var problem = await Problems.AssertAsync(await api.AdminClient.PostAsJsonAsync("/api/admin/members", body), HttpStatusCode.BadRequest, "validation");

        Assert.True(problem.GetProperty("errors").TryGetProperty("expiresAt", out _), problem.GetRawText());
    }

    [Fact]
    public async Task Lookups_need_members_read_and_registration_needs_admin()
    {
        var created = await api.CreateMemberAsync();
        var shop = await Capacity.IntegrationTests.Coupons.CouponApi.ShopClientAsync(api);

        await Problems.AssertAsync(await shop.GetAsync($"/api/members/{created.GetProperty("memberId").GetGuid()}"), HttpStatusCode.Forbidden, "scope-missing");
        await Problems.AssertAsync(await api.CreateClient().GetAsync($"/api/members/{created.GetProperty("memberId").GetGuid()}"), HttpStatusCode.Unauthorized, "api-key-missing");
        await Problems.AssertAsync(await _reader.PostAsJsonAsync("/api/admin/members", new { }), HttpStatusCode.Forbidden, "scope-missing");
    }
}
