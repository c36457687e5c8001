using System.Numerics;

namespace Capacity.Bench.OpenLoop;

/// <summary>
/// Log-linear histogram of durations in microseconds: exact below 256 µs, then 128 buckets per power of two (each
/// bucket at most 0.8 % wide), up to about 2^38 µs. Percentiles are the upper bound of the bucket they fall in, so they
/// are never reported lower than measured. Not thread-safe: the caller holds a lock.
/// </summary>
public sealed class Histogram
{
    private const int Linear = 256;
    private const int SubBuckets = 128;
    private const int SubBits = 7;
    private const int MaxShift = 30;

    private readonly long[] _counts = new long[Linear + (MaxShift * SubBuckets)];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public double Sum { get; private set; }

    public void Record(long micros)
    {
        if (micros < 0)
        {
            micros = 0;
        }
        _counts[Index(micros)]++;
        Count++;
        Sum += micros;
        if (micros > Max)
        {
            Max = micros;
        }
    }

    public void Add(Histogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }
        Count += other.Count;
        Sum += other.Sum;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>Nearest-rank percentile in microseconds (the bucket's upper bound, at most the maximum seen).</summary>
    public long Percentile(double p)
    {
        if (Count == 0)
        {
            return 0;
        }
        var rank = Math.Max(1, (long)Math.Ceiling(p / 100.0 * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(UpperBound(i), Max);
            }
        }
        return Max;
    }

    private static int Index(long micros)
    {
        if (micros < Linear)
        {
            return (int)micros;
        }
        var msb = 63 - BitOperations.LeadingZeroCount((ulong)micros);
        var shift = msb - SubBits;
        if (shift > MaxShift)
        {
            return Linear + (MaxShift * SubBuckets) - 1;
        }
        var sub = (int)(micros >> shift) - SubBuckets;
        return Linear + ((shift - 1) * SubBuckets) + sub;
    }

    private static long UpperBound(int index)
    {
        if (index < Linear)
        {
            return index;
        }
        var shift = ((index - Linear) / SubBuckets) + 1;
        var sub = (index - Linear) % SubBuckets;
        return ((long)(sub + SubBuckets + 1) << shift) - 1;
    }
}
