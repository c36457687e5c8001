using System.Net.Http.Json;
using Capacity.IntegrationTests.Fixtures;

namespace Capacity.IntegrationTests.AccessCodes;

/// <summary>What the access-code tests do through the API, beside <see cref="ClaimOutcome"/> and <see cref="CodeUsage"/>.</summary>
public static class AccessCodeApi
{
    /// <summary>Creates a bulk code through the admin API and returns its upper-case text.</summary>
    public static async Task<string> CreateCodeAsync(this CapacityApiFactory api, int maxUsageCount, string? code = null)
    {
        code ??= "T-" + Guid.NewGuid().ToString("N")[..12];
        var response = await api.AdminClient.PostAsJsonAsync(
            "/api/admin/access-codes", new { code, type = "bulk", maxUsageCount });
        response.EnsureSuccessStatusCode();
        return code.ToUpperInvariant();
    }
}
