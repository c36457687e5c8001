namespace Capacity.Application.Common.Caching;

/// <summary>How a cached answer was served.</summary>
public enum CacheOutcome
{
    /// <summary>From the cache, fresh (this instance's memory or Redis).</summary>
    Hit,

    /// <summary>Read from the database (and cached).</summary>
    Miss,

    /// <summary>From the cache past its fresh duration (fail-safe: the database could not be read).</summary>
    Stale,
}

/// <summary>
/// What the cached reads of one request reported, for the web host to tell the caller (<c>X-Cache</c>, <c>Age</c>). The
/// host opens one per request (<see cref="Begin"/>); the caching behavior and the composite-read ports report to it.
/// When a request reads several entries, a stale one wins, then a miss.
/// </summary>
public sealed class CacheServe
{
    private static readonly AsyncLocal<CacheServe?> Ambient = new();

    public static CacheServe? Current => Ambient.Value;

    public CacheOutcome? Outcome { get; private set; }

    /// <summary>For a stale answer: how old the served value is.</summary>
    public TimeSpan? Age { get; private set; }

    /// <summary>Opens the request's report (the web host calls it before the endpoint runs).</summary>
    public static CacheServe Begin()
    {
        var serve = new CacheServe();
        Ambient.Value = serve;
        return serve;
    }

    public static void Report(CacheOutcome outcome, TimeSpan age)
    {
        if (Ambient.Value is not { } serve || serve.Outcome == CacheOutcome.Stale || (serve.Outcome == CacheOutcome.Miss && outcome == CacheOutcome.Hit))
        {
            return;
        }

        serve.Outcome = outcome;
        serve.Age = outcome == CacheOutcome.Stale ? age : null;
    }
}

/// <summary>
/// What the cache holds for a cached read: the value and when it was read from the database, so an answer can say how
/// old it is, and a value older than its fresh duration is known to be a fail-safe (stale) one.
/// </summary>
public sealed record CachedValue<T>(T Value, DateTimeOffset ReadAt)
{
    /// <summary>
    /// Reports how this value was served: read now (a miss); stale when a refresh was tried and failed (fail-safe served
    /// this value) or the value is older than <paramref name="duration"/>; else a fresh hit.
    /// </summary>
    public CacheOutcome ReportServed(bool readNow, bool refreshFailed, TimeSpan duration, DateTimeOffset now)
    {
        var age = now - ReadAt;
        var outcome = readNow ? CacheOutcome.Miss : refreshFailed || age > duration ? CacheOutcome.Stale : CacheOutcome.Hit;
        CacheServe.Report(outcome, age < TimeSpan.Zero ? TimeSpan.Zero : age);
        return outcome;
    }
}
