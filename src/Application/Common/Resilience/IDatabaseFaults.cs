namespace Capacity.Application.Common.Resilience;

/// <summary>What the circuit breaker needs to know about the database driver; Infrastructure implements it.</summary>
public interface IDatabaseFaults
{
    /// <summary>
    /// True when the exception means the database cannot be reached or answered too late: only these
    /// count toward opening the breaker (never a busy lock, a unique violation or a domain outcome).
    /// </summary>
    bool IsUnavailable(Exception exception);

    /// <summary>Drops pooled connections, so the probe after a break uses a fresh one.</summary>
    void ResetConnections();
}
