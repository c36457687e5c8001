using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Clients;

/// <summary>A client as the admin API created it: its id, its first key's id and the key.</summary>
public sealed record CreatedClient(Guid Id, Guid KeyId, string Key);

/// <summary>What the client tests do through the admin API.</summary>
public static class ClientApi
{
    public static async Task<CreatedClient> CreateClientAsync(this CapacityApiFactory api, params string[] scopes)
    {
        var response = await api.AdminClient.PostAsJsonAsync("/api/admin/clients", new { name = "test-" + Guid.NewGuid().ToString("N")[..8], scopes });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var client = JsonDocument.Parse(body).RootElement;
        return new CreatedClient(client.GetProperty("id").GetGuid(), client.GetProperty("keyId").GetGuid(), client.GetProperty("key").GetString()!);
    }

    /// <summary>Issues another key of the client (rotation): its id and the key.</summary>
    public static async Task<(Guid KeyId, string Key)> IssueKeyAsync(this CapacityApiFactory api, Guid clientId)
    {
        var response = await api.AdminClient.PostAsync($"/api/admin/clients/{clientId}/keys", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        var key = JsonDocument.Parse(body).RootElement;
        return (key.GetProperty("keyId").GetGuid(), key.GetProperty("key").GetString()!);
    }

    public static async Task RevokeKeyAsync(this CapacityApiFactory api, Guid clientId, Guid keyId)
    {
        var response = await api.AdminClient.DeleteAsync($"/api/admin/clients/{clientId}/keys/{keyId}");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>A request that sends <paramref name="key"/> as X-Api-Key, or as a bearer token.</summary>
    public static HttpRequestMessage WithKey(this HttpRequestMessage request, string? key, bool bearer = false)
    {
        if (key is not null)
        {
            if (bearer)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
            else
            {
                request.Headers.Add("X-Api-Key", key);
            }
        }

        return request;
    }
}
