using System.Net;
using System.Net.Http.Json;
using Capacity.IntegrationTests.Clients;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Members;

/// <summary>
/// The host with the API's own categories and FusionCache's (which names cache keys) at Debug, ASP.NET Core's and EF
/// Core's as shipped, every line collected.
/// </summary>
public sealed class DebugLogApiFactory : ScopeProbeApiFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Debug",
        ["Logging:LogLevel:ZiggyCreatures.Caching.Fusion"] = "Debug",
    };
}

/// <summary>
/// Id numbers and names are personal data: registering, looking up (hit and miss), updating and refusing a member
/// leaves no id number or name in any log line (at Debug, cache keys included) or in /metrics.
/// </summary>
public sealed class MemberPersonalDataTests(DebugLogApiFactory api) : IClassFixture<DebugLogApiFactory>
{
    [Fact]
    public async Task No_id_number_or_name_reaches_logs_or_metrics()
    {
        var reader = await api.ReaderClientAsync();
        var idNumber = MemberApi.NewIdNumber();
        const string firstName = "Nomvuzo";
        const string surname = "Xabanisa";
        var unknown = MemberApi.NewIdNumber();

        var created = await api.CreateMemberAsync(new { idNumber, firstName, surname });
        var memberId = created.GetProperty("memberId").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/members/by-id-number/{idNumber}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/members/by-id-number/{idNumber.ToLowerInvariant()}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/members/{memberId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/api/members/by-id-number/{unknown}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await reader.GetAsync($"/api/members/by-id-number/{unknown}-x")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.AdminClient.PutAsJsonAsync($"/api/admin/members/{memberId}", new
        {
            firstName, surname = surname + "-Mthembu", status = "active", expiresAt = DateTimeOffset.UtcNow.AddYears(2),
        })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await api.AdminClient.PostAsJsonAsync("/api/admin/members", new
        {
            idNumber, firstName, surname, provinceCode = "GP", municipalityCode = "JHB", wardCode = "1", expiresAt = DateTimeOffset.UtcNow.AddYears(1),
        })).StatusCode);
        var metrics = await api.Client.GetStringAsync("/metrics");

        var logs = api.Logs.ToArray();
        Assert.Contains(logs, l => l.StartsWith("Debug", StringComparison.Ordinal));
        foreach (var secret in new[] { idNumber, unknown, firstName, surname })
        {
            Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(secret, metrics, StringComparison.OrdinalIgnoreCase);
        }
    }
}
