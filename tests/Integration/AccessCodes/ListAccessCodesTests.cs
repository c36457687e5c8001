using System.Net;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.AccessCodes;

/// <summary>The shared pagination at its edges, through the first list route (a database of this class's own).</summary>
public sealed class ListAccessCodesTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>, IAsyncLifetime
{
    private string[] _codes = [];

    public async Task InitializeAsync()
    {
        await api.ResetDatabaseAsync();
        _codes = new string[5];
        for (var i = 0; i < _codes.Length; i++)
        {
            _codes[i] = await api.CreateCodeAsync(maxUsageCount: 10, code: $"LIST-{i}-{Guid.NewGuid():N}"[..20]);
        }

        Array.Sort(_codes, StringComparer.Ordinal);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Pages_cover_every_code_once_in_code_order_and_say_where_they_are()
    {
        var first = await PageAsync("?page=1&limit=2");
        var second = await PageAsync("?page=2&limit=2");
        var last = await PageAsync("?page=3&limit=2");

        Assert.Equal(_codes[..2], Codes(first));
        Assert.Equal(_codes[2..4], Codes(second));
        Assert.Equal(_codes[4..], Codes(last));
        AssertPagination(first, page: 1, limit: 2, total: 5, totalPages: 3, hasNext: true, hasPrev: false);
        AssertPagination(second, page: 2, limit: 2, total: 5, totalPages: 3, hasNext: true, hasPrev: true);
        AssertPagination(last, page: 3, limit: 2, total: 5, totalPages: 3, hasNext: false, hasPrev: true);
    }

    [Fact]
    public async Task Defaults_are_page_1_of_20()
    {
        var page = await PageAsync("");

        Assert.Equal(_codes, Codes(page));
        AssertPagination(page, page: 1, limit: 20, total: 5, totalPages: 1, hasNext: false, hasPrev: false);
    }

    [Theory]
    [InlineData("?page=9&limit=2", 9)]
    [InlineData("?page=2147483647&limit=100", 2147483647)]
    public async Task A_page_past_the_end_is_empty_and_says_where_the_end_is(string query, int pageNumber)
    {
        var page = await PageAsync(query);

        Assert.Empty(Codes(page));
        Assert.Equal(pageNumber, page.GetProperty("pagination").GetProperty("page").GetInt32());
        Assert.False(page.GetProperty("pagination").GetProperty("hasNext").GetBoolean());
        Assert.True(page.GetProperty("pagination").GetProperty("hasPrev").GetBoolean());
        Assert.Equal(5, page.GetProperty("pagination").GetProperty("total").GetInt64());
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=101", "limit")]
    [InlineData("?limit=-1", "limit")]
    [InlineData("?page=0", "page")]
    [InlineData("?page=-3", "page")]
    public async Task Limit_outside_1_to_100_or_page_below_1_is_a_400_naming_the_field(string query, string field)
    {
        using var response = await api.AdminClient.GetAsync("/api/admin/access-codes" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("urn:capacity:problem:validation", problem.GetProperty("type").GetString());
        Assert.Equal([field], problem.GetProperty("violations").EnumerateArray().Select(v => v.GetProperty("field").GetString()).Distinct());
    }

    [Fact]
    public async Task The_list_is_for_admins()
    {
        using var response = await api.Client.GetAsync("/api/admin/access-codes");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<JsonElement> PageAsync(string query)
    {
        using var response = await api.AdminClient.GetAsync("/api/admin/access-codes" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static string[] Codes(JsonElement page) =>
        page.GetProperty("data").EnumerateArray().Select(c => c.GetProperty("code").GetString()!).ToArray();

    private static void AssertPagination(JsonElement body, int page, int limit, long total, long totalPages, bool hasNext, bool hasPrev)
    {
        var p = body.GetProperty("pagination");
        Assert.Equal(page, p.GetProperty("page").GetInt32());
        Assert.Equal(limit, p.GetProperty("limit").GetInt32());
        Assert.Equal(total, p.GetProperty("total").GetInt64());
        Assert.Equal(totalPages, p.GetProperty("totalPages").GetInt64());
        Assert.Equal(hasNext, p.GetProperty("hasNext").GetBoolean());
        Assert.Equal(hasPrev, p.GetProperty("hasPrev").GetBoolean());
    }
}
