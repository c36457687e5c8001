using Capacity.Application.Coupons;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Capacity.Infrastructure.Coupons.ValidationLogs;

/// <summary>Degraded while validation log rows are being dropped (the journal at its disk cap) or the journal is near it.</summary>
internal sealed class ValidationLogHealthCheck(IValidationLog log) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = log.Status;
        if (!status.Enabled)
        {
            return Task.FromResult(HealthCheckResult.Healthy("Disabled (ValidationLog:Enabled=false): validations are not logged."));
        }

        return Task.FromResult(status.Degraded
            ? HealthCheckResult.Degraded($"The validation log journal holds {status.JournalBytes} bytes; {status.Dropped} rows dropped since start.")
            : HealthCheckResult.Healthy($"{status.Queued} rows queued, {status.JournalBytes} journal bytes."));
    }
}
