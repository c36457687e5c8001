using Capacity.Application.Performance;

namespace Capacity.WebApi.RequestQueue;

/// <summary><see cref="IRequestQueueStatistics"/> of this instance's request queue.</summary>
internal sealed class RequestQueueStatistics(RequestGate gate) : IRequestQueueStatistics
{
    public QueueFigures Read() =>
        new(gate.Options.Enabled, gate.InFlight, gate.Queued, gate.Options.MaxConcurrent, gate.Options.MaxQueued);
}
