using Capacity.Application.Coupons;
using Capacity.Domain.Coupons;

namespace Capacity.Infrastructure.Coupons.ValidationLogs;

/// <summary><see cref="IValidationLog"/> with <c>ValidationLog:Enabled=false</c>: no row is kept anywhere.</summary>
internal sealed class DisabledValidationLog : IValidationLog
{
    private static readonly ValidationLogStatus Off = new(0, 0, 0, 0, Degraded: false, Enabled: false);

    public void Record(ValidationLogEntry entry)
    {
    }

    public ValidationLogStatus Status => Off;
}
