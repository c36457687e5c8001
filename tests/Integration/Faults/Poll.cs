using System.Diagnostics;

namespace Capacity.IntegrationTests.Faults;

/// <summary>Waits for a condition by asking again and again until a deadline; never a fixed sleep.</summary>
public static class Poll
{
    /// <summary>Generous on purpose: the machine may be busy building or testing something else.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Calls <paramref name="probe"/> until <paramref name="done"/> holds for what it returned, and returns that;
    /// fails naming <paramref name="what"/> and the last value seen when <see cref="Deadline"/> passes first.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var last = await probe();
            if (done(last))
            {
                return last;
            }

            if (watch.Elapsed > Deadline)
            {
                Assert.Fail($"Waited {Deadline.TotalSeconds:0} s for {what}; last seen: {last}");
            }

            await Task.Delay(Interval);
        }
    }
}
