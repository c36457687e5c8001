using Microsoft.Extensions.Time.Testing;

namespace Capacity.UnitTests.Infrastructure.AccessCodes;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells when a timer has been created (a <c>Task.Delay</c> started), so a
/// test advances the clock after the backoff is waiting for it, not before (which would leave it waiting).
/// </summary>
internal sealed class TimerWatchingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _sync = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private int _timers;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_sync)
        {
            _timers++;
            foreach (var waiter in _waiters.Where(w => _timers >= w.Count).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Reached.SetResult();
            }
        }

        return timer;
    }

    /// <summary>Completes once <paramref name="count"/> timers have been created in all.</summary>
    public Task WaitForTimersAsync(int count)
    {
        lock (_sync)
        {
            if (_timers >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task;
        }
    }
}
