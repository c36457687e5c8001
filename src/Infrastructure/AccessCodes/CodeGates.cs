namespace Capacity.Infrastructure.AccessCodes;

/// <summary>
/// One gate per access code on this instance: claims of the same code take turns here instead of racing
/// each other for the row lock (where NOWAIT would turn most of them into "busy"). Gates of codes nobody
/// is waiting on are removed, so memory follows the codes in use, not every code ever seen.
/// </summary>
internal sealed class CodeGates
{
    private readonly Dictionary<string, Gate> _gates = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();

    /// <summary>Waits for the code's turn until <paramref name="timeout"/>; null when it did not come.</summary>
    public async Task<Turn?> WaitAsync(string code, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Gate gate;
        lock (_sync)
        {
            if (!_gates.TryGetValue(code, out gate!))
            {
                gate = new Gate();
                _gates[code] = gate;
            }

            gate.Users++;
        }

        try
        {
            if (timeout > TimeSpan.Zero && await gate.Semaphore.WaitAsync(timeout, cancellationToken))
            {
                return new Turn(this, code, gate);
            }
        }
        catch
        {
            Leave(code, gate);
            throw;
        }

        Leave(code, gate);
        return null;
    }

    /// <summary>Codes with a gate right now (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _gates.Count;
            }
        }
    }

    private void Leave(string code, Gate gate)
    {
        lock (_sync)
        {
            if (--gate.Users == 0)
            {
                _gates.Remove(code);
            }
        }
    }

    /// <summary>Holding a turn; disposing it lets the next waiting claim of the code go.</summary>
    internal sealed class Turn(CodeGates owner, string code, Gate gate) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Semaphore.Release();
                owner.Leave(code, gate);
            }
        }
    }

    internal sealed class Gate
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }
}
