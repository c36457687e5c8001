using System.Runtime.InteropServices;

namespace Capacity.Bench.OpenLoop;

/// <summary>
/// Sub-millisecond sleeps for the scheduler: Thread.Sleep rounds to whole milliseconds, a spin would take a core of
/// the two this machine has. With the thread's timer slack set to 1 µs, usleep wakes within tens of microseconds.
/// </summary>
internal static partial class Native
{
    private const int PrSetTimerSlack = 29;

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int USleep(uint microseconds);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    private static bool _available = OperatingSystem.IsLinux();

    /// <summary>Sets the calling thread's timer slack to 1 ns (Linux; best effort).</summary>
    public static void FineTimerSlack()
    {
        if (!_available)
        {
            return;
        }
        try
        {
            Prctl(PrSetTimerSlack, 1, 0, 0, 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _available = false;
        }
    }

    public static void SleepMicros(long micros)
    {
        if (micros <= 0)
        {
            return;
        }
        if (_available)
        {
            try
            {
                USleep((uint)Math.Min(micros, 900_000));
                return;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _available = false;
            }
        }
        Thread.Sleep(TimeSpan.FromMilliseconds(Math.Max(1, micros / 1000)));
    }
}
