using System.Net;
using System.Net.Http.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.AccessCodes;

public sealed class GetCodeUsageBatchTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    private sealed record Usage(string Code, int UsageCount, int MaxUsageCount, int ActiveSessions, int Remaining, bool IsActive);

    private sealed record Batch(List<Usage> Data, List<string> NotFound);

    [Fact]
    public async Task Usage_batch_matches_each_code_read_one_by_one()
    {
        var codes = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var code = await api.CreateCodeAsync(maxUsageCount: 10);
            for (var claim = 0; claim < i; claim++)
            {
                (await api.Client.PostAsJsonAsync("/api/auth/code-login", new { code })).EnsureSuccessStatusCode();
            }

            codes.Add(code);
        }

        var response = await api.AdminClient.GetAsync(
            $"/api/admin/access-codes/usage?codes={string.Join(',', codes.Select(c => c.ToLowerInvariant()))},NO-SUCH-CODE");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var batch = await response.Content.ReadFromJsonAsync<Batch>();
        Assert.Equal(codes, batch!.Data.Select(u => u.Code));
        Assert.Equal(["NO-SUCH-CODE"], batch.NotFound);
        for (var i = 0; i < codes.Count; i++)
        {
            var single = await api.Client.GetFromJsonAsync<Usage>($"/api/access-codes/{codes[i]}");
            Assert.Equal(single!.UsageCount, batch.Data[i].UsageCount);
            Assert.Equal(i, batch.Data[i].UsageCount);
            Assert.Equal(i, batch.Data[i].ActiveSessions);
            Assert.Equal(10 - i, batch.Data[i].Remaining);
            Assert.True(batch.Data[i].IsActive);
        }
    }

    [Fact]
    public async Task Usage_batch_accepts_500_codes_in_the_query_string()
    {
        var codes = Enumerable.Range(0, 500).Select(i => $"BATCH-{i:D4}-{new string('X', 50)}").ToList();

        var response = await api.AdminClient.GetAsync($"/api/admin/access-codes/usage?codes={string.Join(',', codes)}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var batch = await response.Content.ReadFromJsonAsync<Batch>();
        Assert.Equal(500, batch!.NotFound.Count);
    }

    [Fact]
    public async Task Usage_batch_returns_400_for_more_than_500_codes_or_none()
    {
        var tooMany = string.Join(',', Enumerable.Range(0, 501).Select(i => $"C-{i}"));

        await Problems.AssertAsync(
            await api.AdminClient.GetAsync($"/api/admin/access-codes/usage?codes={tooMany}"), HttpStatusCode.BadRequest, "validation");
        await Problems.AssertAsync(
            await api.AdminClient.GetAsync("/api/admin/access-codes/usage"), HttpStatusCode.BadRequest, "validation");
        await Problems.AssertAsync(
            await api.AdminClient.GetAsync("/api/admin/access-codes/usage?codes=ok1,!!"), HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task Usage_batch_requires_the_admin_key()
    {
        await Problems.AssertAsync(
            await api.Client.GetAsync("/api/admin/access-codes/usage?codes=ABC"), HttpStatusCode.Unauthorized, "api-key-missing");
    }
}
