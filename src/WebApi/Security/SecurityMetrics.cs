using System.Diagnostics.Metrics;
using Capacity.Application.Common.Metrics;

namespace Capacity.WebApi.Security;

/// <summary>The security instruments (on <see cref="CapacityMetrics.Meter"/>). No label ever carries a key, a prefix or a client.</summary>
internal static class SecurityMetrics
{
    /// <summary>Refused requests, tagged with <c>reason</c>: api-key-missing, api-key-invalid or scope-missing.</summary>
    public static readonly Counter<long> Refusals = CapacityMetrics.Meter.CreateCounter<long>(
        "capacity.security.refusals",
        description: "Requests refused by the API key and scope checks, by reason.");
}
