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

    /// <summary>
    /// How often the usage guard (the check constraint) refused a claim statement in this process, from /metrics.
    /// The meter is shared by every in-process test host: only a test that forces the guard makes it move.
    /// </summary>
    public static async Task<double> GuardRefusalsAsync(this CapacityApiFactory api)
    {
        var metrics = await api.Client.GetStringAsync("/metrics");
        return metrics.Split('\n')
            .Where(l => l.StartsWith("capacity_claim_statement_refusals_total{", StringComparison.Ordinal)
                        && l.Contains("reason=\"check_violation\"", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .Sum();
    }
}
