using System.Net;
using System.Text.Json;
using Capacity.Domain.Clients;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Clients;

/// <summary>
/// Each scope allows a key that holds it and denies one that does not, on probe routes behind the real checks
/// (features that bring routes test theirs), plus the caller port and what logs say about a personal path.
/// </summary>
public sealed class ScopeTests(ScopeProbeApiFactory api) : IClassFixture<ScopeProbeApiFactory>
{
    public static TheoryData<string> Scopes => new(ClientScopes.All);

    [Theory]
    [MemberData(nameof(Scopes))]
    public async Task A_key_with_the_scope_is_let_through_as_its_client(string scope)
    {
        var client = await api.CreateClientAsync(scope);

        foreach (var bearer in new[] { false, true })
        {
            var response = await api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/probe/{scope}").WithKey(client.Key, bearer));

            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            var caller = JsonDocument.Parse(body).RootElement;
            Assert.Equal(client.Id, caller.GetProperty("clientId").GetGuid());
            Assert.Equal([scope], caller.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        }
    }

    [Theory]
    [MemberData(nameof(Scopes))]
    public async Task A_key_without_the_scope_gets_403_scope_missing_naming_it(string scope)
    {
        var others = ClientScopes.All.Where(s => s != scope).ToArray();
        var client = await api.CreateClientAsync(others);

        var response = await api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/probe/{scope}").WithKey(client.Key));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.Forbidden, "scope-missing");
        Assert.Equal(scope, problem.GetProperty("scope").GetString());
        Assert.Contains(scope, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [MemberData(nameof(Scopes))]
    public async Task No_key_gets_401_api_key_missing_with_a_challenge(string scope)
    {
        var response = await api.Client.GetAsync($"/probe/{scope}");

        await Problems.AssertAsync(response, HttpStatusCode.Unauthorized, "api-key-missing");
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Theory]
    [InlineData("cap_AAAAAAAA_0000000000000000000000000000000000000000")] // the format, but no such key
    [InlineData("not-a-key")]
    [InlineData(CapacityApiFactory.AdminKey + "x")]
    public async Task An_unknown_key_gets_403_api_key_invalid(string key)
    {
        foreach (var bearer in new[] { false, true })
        {
            var response = await api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/probe/coupons").WithKey(key, bearer));

            var problem = await Problems.AssertAsync(response, HttpStatusCode.Forbidden, "api-key-invalid");
            Assert.DoesNotContain(key, problem.GetRawText());
        }
    }

    [Fact]
    public async Task A_right_prefix_with_a_wrong_secret_is_invalid()
    {
        var client = await api.CreateClientAsync(ClientScopes.Coupons);
        var forged = client.Key[..13] + new string('A', 40);

        var response = await api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/probe/coupons").WithKey(forged));

        await Problems.AssertAsync(response, HttpStatusCode.Forbidden, "api-key-invalid");
    }

    [Theory]
    [MemberData(nameof(Scopes))]
    public async Task The_bootstrap_admin_key_holds_every_scope(string scope)
    {
        var response = await api.AdminClient.GetAsync($"/probe/{scope}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var caller = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(Guid.Empty, caller.GetProperty("clientId").GetGuid());
        Assert.Equal("bootstrap-admin", caller.GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_route_open_to_anonymous_callers_holds_a_presented_key_to_its_scope()
    {
        var holder = await api.CreateClientAsync(ClientScopes.CodesClaim);
        var other = await api.CreateClientAsync(ClientScopes.Coupons);

        var anonymous = await api.Client.GetAsync("/probe/codes:claim/open");
        var withScope = await api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/probe/codes:claim/open").WithKey(holder.Key));
        var withoutScope = await api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/probe/codes:claim/open").WithKey(other.Key));
        var invalid = await api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/probe/codes:claim/open").WithKey("nope"));

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(await anonymous.Content.ReadAsStringAsync()).RootElement.GetProperty("clientId").ValueKind);
        Assert.Equal(HttpStatusCode.OK, withScope.StatusCode);
        Assert.Equal(holder.Id, JsonDocument.Parse(await withScope.Content.ReadAsStringAsync()).RootElement.GetProperty("clientId").GetGuid());
        await Problems.AssertAsync(withoutScope, HttpStatusCode.Forbidden, "scope-missing");
        await Problems.AssertAsync(invalid, HttpStatusCode.Forbidden, "api-key-invalid");
    }

    [Fact]
    public async Task Logs_name_a_failing_route_by_its_pattern_never_by_the_personal_value_in_its_path()
    {
        const string idNumber = "8001015009087";

        var response = await api.AdminClient.GetAsync($"/probe/personal/{idNumber}");

        await Problems.AssertAsync(response, HttpStatusCode.InternalServerError, "internal");
        var logs = api.Logs.ToArray();
        Assert.Contains(logs, l => l.Contains("/probe/personal/{idNumber}", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Contains(idNumber, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Keys_never_appear_in_logs_or_metrics()
    {
        var client = await api.CreateClientAsync(ClientScopes.Coupons);
        await api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/probe/coupons").WithKey(client.Key));
        await api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/probe/admin").WithKey(client.Key));
        await api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/probe/coupons").WithKey(client.Key[..20] + "x"));

        var metrics = await api.Client.GetStringAsync("/metrics");

        Assert.DoesNotContain(api.Logs, l => l.Contains(client.Key[..12], StringComparison.Ordinal));
        Assert.DoesNotContain(client.Key[..12], metrics);
        Assert.Contains("capacity_security_refusals_total{", metrics);
        Assert.Contains("reason=\"scope-missing\"", metrics);
    }
}
