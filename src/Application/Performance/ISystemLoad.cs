namespace Capacity.Application.Performance;

/// <summary>The database connection pool's use now (Npgsql's own pool statistics).</summary>
public interface IDatabasePoolStatistics
{
    /// <summary>Connections in use and the pool's maximum; null when the pool has not reported yet.</summary>
    PoolFigures? Read();
}

/// <param name="Busy">Connections handed out now.</param>
/// <param name="Max">Maximum Pool Size.</param>
public sealed record PoolFigures(int Busy, int Max)
{
    public double Utilization => Max == 0 ? 0 : (double)Busy / Max;
}

/// <summary>The request queue now (implemented where the queue lives, in the web host).</summary>
public interface IRequestQueueStatistics
{
    QueueFigures Read();
}

/// <param name="Enabled">False when the queue is switched off.</param>
public sealed record QueueFigures(bool Enabled, int InFlight, int Queued, int MaxConcurrent, int MaxQueued)
{
    /// <summary>How full the waiting room is (0 when it holds nobody or has no room).</summary>
    public double Fill => MaxQueued == 0 ? (Queued > 0 ? 1 : 0) : (double)Queued / MaxQueued;
}
