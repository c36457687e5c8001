using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.AccessCodes;

public sealed class CreateAccessCodeTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    private const string CreatePath = "/api/admin/access-codes";

    private sealed record AccessCode(
        Guid Id, string Code, string Type, bool IsActive, DateTimeOffset? ExpiresAt, int UsageCount, int MaxUsageCount);

    [Fact]
    public async Task Create_returns_201_with_the_code_and_its_location()
    {
        var expiresAt = new DateTimeOffset(2099, 12, 31, 23, 59, 0, TimeSpan.FromHours(2));

        var response = await api.AdminClient.PostAsJsonAsync(
            CreatePath, new { code = "Launch-2099", type = "bulk", maxUsageCount = 50, expiresAt });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("/api/access-codes/LAUNCH-2099", response.Headers.Location?.ToString());
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(
            new[] { "id", "code", "type", "isActive", "expiresAt", "usageCount", "maxUsageCount" },
            json.EnumerateObject().Select(p => p.Name));
        var created = json.Deserialize<AccessCode>(JsonSerializerOptions.Web)!;
        Assert.NotEqual(Guid.Empty, created.Id);
        Assert.Equal("LAUNCH-2099", created.Code);
        Assert.Equal("bulk", created.Type);
        Assert.True(created.IsActive);
        Assert.Equal(expiresAt, created.ExpiresAt);
        Assert.Equal(0, created.UsageCount);
        Assert.Equal(50, created.MaxUsageCount);
        Assert.Equal(created.Id, await api.ScalarAsync<Guid>("SELECT id FROM access_codes WHERE code = 'LAUNCH-2099'"));
        Assert.Equal(50, await api.ScalarAsync<int>("SELECT max_usage_count FROM access_codes WHERE id = $1", created.Id));
        Assert.Equal(
            expiresAt.UtcDateTime,
            await api.ScalarAsync<DateTime>("SELECT expires_at FROM access_codes WHERE id = $1", created.Id));
    }

    [Fact]
    public async Task Create_stores_the_code_upper_case_and_matches_it_in_any_case()
    {
        var response = await api.AdminClient.PostAsJsonAsync(
            CreatePath, new { code = "mixed-Case_7", type = "bulk", maxUsageCount = 5 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM access_codes WHERE code = 'MIXED-CASE_7'"));
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM access_codes WHERE code <> upper(code)"));
        var read = await api.Client.GetFromJsonAsync<AccessCode>("/api/access-codes/Mixed-case_7");
        Assert.Equal("MIXED-CASE_7", read!.Code);
        var login = await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code = "MIXED-case_7" });
        Assert.Equal(HttpStatusCode.Created, login.StatusCode);
        Assert.Equal(1, await api.ScalarAsync<int>("SELECT usage_count FROM access_codes WHERE code = 'MIXED-CASE_7'"));
    }

    [Theory]
    [InlineData("DUPLICATE-A", "DUPLICATE-A")]
    [InlineData("DUPLICATE-B", "duplicate-b")]
    [InlineData("duplicate-c", "Duplicate-C")]
    public async Task Create_returns_409_when_the_code_exists_in_any_case(string first, string second)
    {
        (await api.AdminClient.PostAsJsonAsync(CreatePath, new { code = first, type = "bulk", maxUsageCount = 3 }))
            .EnsureSuccessStatusCode();

        var response = await api.AdminClient.PostAsJsonAsync(CreatePath, new { code = second, type = "single" });

        var problem = await Problems.AssertAsync(response, HttpStatusCode.Conflict, "access-code-exists");
        Assert.Contains(first.ToUpperInvariant(), problem.GetProperty("detail").GetString());
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM access_codes WHERE code = $1", first.ToUpperInvariant()));
        Assert.Equal(3, await api.ScalarAsync<int>("SELECT max_usage_count FROM access_codes WHERE code = $1", first.ToUpperInvariant()));
    }

    [Fact]
    public async Task Exactly_one_create_wins_when_20_admins_create_the_same_code_at_once()
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            api.AdminClient.PostAsJsonAsync(
                CreatePath, new { code = i % 2 == 0 ? "RACE-CODE" : "race-code", type = "bulk", maxUsageCount = 10 })));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM access_codes WHERE code = 'RACE-CODE'"));
    }

    [Fact]
    public async Task Create_returns_401_api_key_missing_without_the_admin_key()
    {
        var response = await api.Client.PostAsJsonAsync(CreatePath, new { code = "NO-KEY", type = "bulk", maxUsageCount = 5 });

        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "api-key-missing");
        Assert.Equal(0L, await CountAsync("NO-KEY"));
    }

    [Fact]
    public async Task Create_returns_401_api_key_missing_when_the_admin_key_header_is_empty()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, CreatePath)
        {
            Content = JsonContent.Create(new { code = "EMPTY-KEY", type = "bulk", maxUsageCount = 5 }),
        };
        request.Headers.TryAddWithoutValidation("X-Api-Key", "");

        var response = await api.Client.SendAsync(request);

        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "api-key-missing");
        Assert.Equal(0L, await CountAsync("EMPTY-KEY"));
    }

    [Theory]
    [InlineData("wrong-key")]
    [InlineData(CapacityApiFactory.AdminKey + "x")]
    [InlineData("INTEGRATION-ADMIN-KEY-0123456789")]
    [InlineData("integration-admin-key-012345678")]
    public async Task Create_returns_403_api_key_invalid_with_a_wrong_admin_key(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, CreatePath)
        {
            Content = JsonContent.Create(new { code = "WRONG-KEY", type = "bulk", maxUsageCount = 5 }),
        };
        request.Headers.Add("X-Api-Key", key);

        var response = await api.Client.SendAsync(request);

        await Problems.AssertAsync(response, HttpStatusCode.Forbidden, "api-key-invalid");
        Assert.Equal(0L, await CountAsync("WRONG-KEY"));
    }

    [Fact]
    public async Task Create_accepts_the_right_admin_key_sent_on_a_single_request()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, CreatePath)
        {
            Content = JsonContent.Create(new { code = "RIGHT-KEY", type = "bulk", maxUsageCount = 5 }),
        };
        request.Headers.Add("X-Api-Key", CapacityApiFactory.AdminKey);

        var response = await api.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1L, await CountAsync("RIGHT-KEY"));
    }

    [Fact]
    public async Task Create_single_code_defaults_max_usage_count_to_1_and_admits_one_person()
    {
        var response = await api.AdminClient.PostAsJsonAsync(CreatePath, new { code = "SINGLE-ONE", type = "single" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<AccessCode>();
        Assert.Equal("single", created!.Type);
        Assert.Equal(1, created.MaxUsageCount);
        Assert.Null(created.ExpiresAt);
        Assert.Equal("single", await api.ScalarAsync<string>("SELECT type FROM access_codes WHERE code = 'SINGLE-ONE'"));
        Assert.Equal(1, await api.ScalarAsync<int>("SELECT max_usage_count FROM access_codes WHERE code = 'SINGLE-ONE'"));
        Assert.Equal(
            HttpStatusCode.Created,
            (await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code = "SINGLE-ONE" })).StatusCode);
        await Problems.AssertAsync(
            await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code = "SINGLE-ONE" }),
            HttpStatusCode.Conflict,
            "access-code-full");
    }

    [Fact]
    public async Task Create_single_code_accepts_an_explicit_max_usage_count_of_1()
    {
        var response = await api.AdminClient.PostAsJsonAsync(
            CreatePath, new { code = "SINGLE-TWO", type = "single", maxUsageCount = 1 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, (await response.Content.ReadFromJsonAsync<AccessCode>())!.MaxUsageCount);
    }

    private Task<long> CountAsync(string code) =>
        api.ScalarAsync<long>("SELECT count(*) FROM access_codes WHERE code = $1", code);
}
