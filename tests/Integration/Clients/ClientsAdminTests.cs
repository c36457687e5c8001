using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.Domain.Clients;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Clients;

/// <summary>Registering clients, reading them, rotating and revoking keys, end to end against PostgreSQL.</summary>
public sealed class ClientsAdminTests(CapacityApiFactory api) : IClassFixture<CapacityApiFactory>
{
    [Fact]
    public async Task Create_answers_201_with_the_client_and_its_first_key_shown_once()
    {
        var response = await api.AdminClient.PostAsJsonAsync("/api/admin/clients", new { name = "  shop-backend ", scopes = new[] { "members:read", "coupons", "coupons" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal(7, id.Version);
        Assert.Equal($"/api/admin/clients/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("shop-backend", created.GetProperty("name").GetString());
        Assert.Equal(["coupons", "members:read"], created.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        var key = created.GetProperty("key").GetString()!;
        Assert.Matches("^cap_[A-Za-z0-9]{8}_[A-Za-z0-9]{40}$", key);
        Assert.Equal(key[..12], created.GetProperty("prefix").GetString());

        // Stored as a hash only: nothing in the database holds the key or its secret part.
        var stored = await api.ScalarAsync<long>("SELECT count(*) FROM client_keys WHERE prefix = $1 AND key_hash = sha256(convert_to($2, 'UTF8'))", key[..12], key);
        Assert.Equal(1, stored);
        var anywhere = await api.ScalarAsync<long>(
            "SELECT count(*) FROM client_keys k JOIN clients c ON c.id = k.client_id WHERE position($1 in (k::text || c::text)) > 0", key[13..]);
        Assert.Equal(0, anywhere);
    }

    [Fact]
    public async Task Get_shows_the_keys_without_the_keys_themselves()
    {
        var client = await api.CreateClientAsync(ClientScopes.Coupons);

        var body = await api.AdminClient.GetStringAsync($"/api/admin/clients/{client.Id}");

        var read = JsonDocument.Parse(body).RootElement;
        Assert.Equal(client.Id, read.GetProperty("id").GetGuid());
        var key = Assert.Single(read.GetProperty("keys").EnumerateArray());
        Assert.Equal(client.KeyId, key.GetProperty("id").GetGuid());
        Assert.Equal(client.Key[..12], key.GetProperty("prefix").GetString());
        Assert.Equal(JsonValueKind.Null, key.GetProperty("revokedAt").ValueKind);
        Assert.Equal(["createdAt", "id", "prefix", "revokedAt"], key.EnumerateObject().Select(p => p.Name).Order());
        Assert.DoesNotContain(client.Key[13..], body);
    }

    [Fact]
    public async Task Unknown_client_or_key_is_404()
    {
        var client = await api.CreateClientAsync(ClientScopes.Coupons);

        await Problems.AssertAsync(await api.AdminClient.GetAsync($"/api/admin/clients/{Guid.CreateVersion7()}"), HttpStatusCode.NotFound, "client-not-found");
        await Problems.AssertAsync(await api.AdminClient.PostAsync($"/api/admin/clients/{Guid.CreateVersion7()}/keys", null), HttpStatusCode.NotFound, "client-not-found");
        await Problems.AssertAsync(await api.AdminClient.DeleteAsync($"/api/admin/clients/{client.Id}/keys/{Guid.CreateVersion7()}"), HttpStatusCode.NotFound, "client-key-not-found");

        // A key of another client is not this client's key.
        var other = await api.CreateClientAsync(ClientScopes.Coupons);
        await Problems.AssertAsync(await api.AdminClient.DeleteAsync($"/api/admin/clients/{client.Id}/keys/{other.KeyId}"), HttpStatusCode.NotFound, "client-key-not-found");
    }

    [Theory]
    [InlineData("""{"name":"","scopes":["coupons"]}""", "name")]
    [InlineData("""{"scopes":["coupons"]}""", "name")]
    [InlineData("""{"name":"shop","scopes":[]}""", "scopes")]
    [InlineData("""{"name":"shop","scopes":["coupons","everything"]}""", "scopes")]
    [InlineData("""{"name":"shop"}""", "scopes")]
    public async Task Bad_input_is_a_400_naming_the_field(string json, string field)
    {
        var response = await api.AdminClient.PostAsync("/api/admin/clients", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        var problem = await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.GetRawText());
    }

    [Fact]
    public async Task Rotation_keeps_the_old_and_the_new_key_working_until_the_old_one_is_revoked()
    {
        var client = await api.CreateClientAsync(ClientScopes.Admin);
        var (newKeyId, newKey) = await api.IssueKeyAsync(client.Id);

        Assert.Equal(HttpStatusCode.OK, (await AdminListAsync(client.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AdminListAsync(newKey)).StatusCode);

        await api.RevokeKeyAsync(client.Id, client.KeyId);

        await Problems.AssertAsync(await AdminListAsync(client.Key), HttpStatusCode.Forbidden, "api-key-invalid");
        Assert.Equal(HttpStatusCode.OK, (await AdminListAsync(newKey)).StatusCode);
        var keys = JsonDocument.Parse(await api.AdminClient.GetStringAsync($"/api/admin/clients/{client.Id}")).RootElement.GetProperty("keys");
        Assert.Equal([client.KeyId, newKeyId], keys.EnumerateArray().Select(k => k.GetProperty("id").GetGuid()));
        Assert.NotEqual(JsonValueKind.Null, keys[0].GetProperty("revokedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, keys[1].GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task Revoking_twice_keeps_the_first_revocation_time()
    {
        var client = await api.CreateClientAsync(ClientScopes.Coupons);
        await api.RevokeKeyAsync(client.Id, client.KeyId);
        var first = await RevokedAtAsync(client);

        await api.RevokeKeyAsync(client.Id, client.KeyId);

        Assert.Equal(first, await RevokedAtAsync(client));
    }

    [Fact]
    public async Task A_client_has_at_most_10_working_keys_even_when_rotations_race()
    {
        var client = await api.CreateClientAsync(ClientScopes.Coupons);

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => api.AdminClient.PostAsync($"/api/admin/clients/{client.Id}/keys", null)));

        Assert.Equal(ClientRules.MaxActiveKeys - 1, answers.Count(a => a.StatusCode == HttpStatusCode.Created));
        Assert.All(answers.Where(a => a.StatusCode != HttpStatusCode.Created), a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));
        await Problems.AssertAsync(answers.First(a => a.StatusCode == HttpStatusCode.Conflict), HttpStatusCode.Conflict, "client-key-limit");
        Assert.Equal(ClientRules.MaxActiveKeys, await api.ScalarAsync<long>("SELECT count(*) FROM client_keys WHERE client_id = $1 AND revoked_at IS NULL", client.Id));

        // Revoking one makes room for one.
        await api.RevokeKeyAsync(client.Id, client.KeyId);
        Assert.Equal(HttpStatusCode.Created, (await api.AdminClient.PostAsync($"/api/admin/clients/{client.Id}/keys", null)).StatusCode);
    }

    [Fact]
    public async Task List_pages_through_clients_oldest_first_with_working_key_counts()
    {
        var first = await api.CreateClientAsync(ClientScopes.Coupons);
        var second = await api.CreateClientAsync(ClientScopes.Inventory);
        await api.IssueKeyAsync(second.Id);
        await api.RevokeKeyAsync(first.Id, first.KeyId);

        var all = new List<JsonElement>();
        for (var page = 1; ; page++)
        {
            var body = JsonDocument.Parse(await api.AdminClient.GetStringAsync($"/api/admin/clients?page={page}&limit=2")).RootElement;
            all.AddRange(body.GetProperty("data").EnumerateArray());
            if (!body.GetProperty("pagination").GetProperty("hasNext").GetBoolean())
            {
                Assert.Equal(all.Count, body.GetProperty("pagination").GetProperty("total").GetInt64());
                break;
            }
        }

        var ids = all.Select(c => c.GetProperty("id").GetGuid()).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(0, all.Single(c => c.GetProperty("id").GetGuid() == first.Id).GetProperty("activeKeys").GetInt32());
        Assert.Equal(2, all.Single(c => c.GetProperty("id").GetGuid() == second.Id).GetProperty("activeKeys").GetInt32());
    }

    [Fact]
    public async Task Admin_routes_refuse_a_client_key_without_the_admin_scope_and_a_missing_key()
    {
        var client = await api.CreateClientAsync(ClientScopes.Coupons, ClientScopes.CodesClaim);

        await Problems.AssertAsync(await AdminListAsync(client.Key), HttpStatusCode.Forbidden, "scope-missing");
        await Problems.AssertAsync(await api.Client.GetAsync("/api/admin/clients"), HttpStatusCode.Unauthorized, "api-key-missing");
        await Problems.AssertAsync(await api.Client.GetAsync("/api/admin/access-codes"), HttpStatusCode.Unauthorized, "api-key-missing");
    }

    [Fact]
    public async Task Code_routes_take_anonymous_callers_a_codes_claim_key_and_refuse_other_keys()
    {
        var code = await AccessCodes.AccessCodeApi.CreateCodeAsync(api, maxUsageCount: 10);
        var claimer = await api.CreateClientAsync(ClientScopes.CodesClaim);
        var shop = await api.CreateClientAsync(ClientScopes.Coupons);

        Assert.Equal(HttpStatusCode.OK, (await api.Client.GetAsync($"/api/access-codes/{code}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/api/access-codes/{code}").WithKey(claimer.Key, bearer: true))).StatusCode);
        var login = new HttpRequestMessage(HttpMethod.Post, "/api/auth/code-login") { Content = JsonContent.Create(new { code }) }.WithKey(claimer.Key);
        Assert.Equal(HttpStatusCode.Created, (await api.Client.SendAsync(login)).StatusCode);

        var refused = new HttpRequestMessage(HttpMethod.Post, "/api/auth/code-login") { Content = JsonContent.Create(new { code }) }.WithKey(shop.Key);
        await Problems.AssertAsync(await api.Client.SendAsync(refused), HttpStatusCode.Forbidden, "scope-missing");
        Assert.Equal(1, await api.ScalarAsync<int>("SELECT usage_count FROM access_codes WHERE code = $1", code));
    }

    private Task<HttpResponseMessage> AdminListAsync(string key) =>
        api.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/admin/clients?limit=1").WithKey(key));

    private async Task<string> RevokedAtAsync(CreatedClient client) =>
        JsonDocument.Parse(await api.AdminClient.GetStringAsync($"/api/admin/clients/{client.Id}")).RootElement
            .GetProperty("keys")[0].GetProperty("revokedAt").GetString()!;
}
