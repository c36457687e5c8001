using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Capacity.Domain.Clients;
using Capacity.IntegrationTests.Clients;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.Members;

/// <summary>What the member tests do through the API: register members as admin, look them up as a members:read client.</summary>
public static class MemberApi
{
    /// <summary>A client holding the members:read scope (a card scanner's back end, a membership office).</summary>
    public static async Task<HttpClient> ReaderClientAsync(this CapacityApiFactory api)
    {
        var reader = await api.CreateClientAsync(ClientScopes.MembersRead);
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Add("X-Api-Key", reader.Key);
        return http;
    }

    /// <summary>A fresh, unique id number (letters and digits, 14 characters).</summary>
    public static string NewIdNumber() => "T" + Guid.NewGuid().ToString("N")[..13].ToUpperInvariant();

    /// <summary>Registers a member (defaults: active, expiring in a year) and returns the answer's body.</summary>
    public static async Task<JsonElement> CreateMemberAsync(this CapacityApiFactory api, object? overrides = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["idNumber"] = NewIdNumber(),
            ["firstName"] = "Lindiwe",
            ["surname"] = "Dube",
            ["provinceCode"] = "GP",
            ["municipalityCode"] = "JHB",
            ["wardCode"] = "JHB-007",
            ["expiresAt"] = DateTimeOffset.UtcNow.AddYears(1),
        };
        if (overrides is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(overrides, JsonSerializerOptions.Web).EnumerateObject())
            {
                body[property.Name] = property.Value;
            }
        }

        var response = await api.AdminClient.PostAsJsonAsync("/api/admin/members", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement;
    }
}
