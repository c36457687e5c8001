namespace Capacity.Application.Common.Resilience;

/// <summary>
/// What the circuit breaker and the problem details need to know about the database driver's exceptions;
/// Infrastructure implements it, so nothing outside it names the driver.
/// </summary>
public interface IDatabaseFaults
{
    /// <summary>
    /// True when the exception means the database cannot be reached or answered too late: only these
    /// count toward opening the breaker (never a busy lock, a unique violation or a domain outcome).
    /// </summary>
    bool IsUnavailable(Exception exception);

    /// <summary>
    /// True when the database refused a text value it cannot store (U+0000, or a character the encoding lacks):
    /// bad input a validator did not catch (400), not a server fault.
    /// </summary>
    bool IsRefusedText(Exception exception);

    /// <summary>Drops pooled connections, so the probe after a break uses a fresh one.</summary>
    void ResetConnections();
}
