using Capacity.Domain.Coupons;

namespace Capacity.Application.Coupons;

/// <summary>
/// Where validation attempts are logged. <see cref="Record"/> never waits for the database and never fails the request:
/// the row goes to a local journal and an in-process queue, and a background writer stores it.
/// </summary>
public interface IValidationLog
{
    void Record(ValidationLogEntry entry);

    ValidationLogStatus Status { get; }
}

/// <param name="Queued">Rows waiting in memory for the writer.</param>
/// <param name="JournalBytes">Bytes of the local journal not yet known to be stored.</param>
/// <param name="OldestUnflushedSeconds">Age of the oldest row not yet stored (0 when none).</param>
/// <param name="Dropped">Rows dropped since start because the journal was at its disk cap.</param>
/// <param name="Degraded">True while rows are being dropped or the journal is near its cap.</param>
public sealed record ValidationLogStatus(int Queued, long JournalBytes, double OldestUnflushedSeconds, long Dropped, bool Degraded, bool Enabled = true);
