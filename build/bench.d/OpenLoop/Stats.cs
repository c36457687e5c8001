using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Capacity.Bench.OpenLoop;

/// <summary>Why a scheduled request got no HTTP answer.</summary>
public enum Failure
{
    /// <summary>Its connection could not be (re)opened.</summary>
    Connect,

    /// <summary>Writing the request failed.</summary>
    Write,

    /// <summary>The connection closed or broke before the whole answer came.</summary>
    Read,

    /// <summary>No answer within the timeout after it was sent.</summary>
    Timeout,

    /// <summary>Sent, still unanswered when the run ended (the drain after the last schedule).</summary>
    Unanswered,

    /// <summary>Never sent: its connection was still busy when the run ended.</summary>
    Unsent,
}

/// <summary>Counts of one request class (or group, or all requests) over the measured window.</summary>
public sealed class Tally
{
    public long Scheduled;
    public long Sent;
    public long Answered;
    public long Ok;
    public readonly SortedDictionary<int, long> Status = [];
    public readonly SortedDictionary<string, long> Errors = new(StringComparer.Ordinal);
    public readonly SortedDictionary<string, long> Cache = new(StringComparer.Ordinal);
    public readonly SortedDictionary<string, long> Problems = new(StringComparer.Ordinal);
    public readonly Histogram Latency = new();

    public long ErrorCount => Errors.Values.Sum() + (Answered - Ok);

    public void Answer(in Response response, long latencyMicros)
    {
        Answered++;
        if (response.Status is >= 200 and < 300)
        {
            Ok++;
        }
        Status[response.Status] = Status.GetValueOrDefault(response.Status) + 1;
        if (response.Cache is { } cache)
        {
            Cache[cache] = Cache.GetValueOrDefault(cache) + 1;
        }
        if (response.Problem is { } problem)
        {
            Problems[problem] = Problems.GetValueOrDefault(problem) + 1;
        }
        Latency.Record(latencyMicros);
    }

    public void Fail(Failure failure)
    {
        var key = failure.ToString().ToLowerInvariant();
        Errors[key] = Errors.GetValueOrDefault(key) + 1;
    }
}

/// <summary>
/// Everything the generator measures, by the intended send time of each request: the measured window's totals
/// (overall, per class, per group = the part of a class name before its first dot), a per-second timeline of the
/// whole schedule (warm-up included, seconds counted from the measured window's start) and the generator's own
/// lateness. One lock: a few thousand records a second cost nothing next to the sockets.
/// </summary>
public sealed class Stats : IDisposable
{
    private readonly Lock _gate = new();
    private readonly string[] _classNames;
    private readonly Tally _all = new();
    private readonly Tally[] _classes;
    private readonly Dictionary<string, Tally> _groups = new(StringComparer.Ordinal);
    private readonly Tally[] _groupOfClass;
    private readonly SortedDictionary<long, Tally> _seconds = [];
    private readonly Histogram _dispatchLag = new();
    private readonly Histogram _sendLag = new();
    private readonly StreamWriter? _log;
    private long _measureStart;
    private long _measureEnd;

    public Stats(string[] classNames, string? logPath)
    {
        _classNames = classNames;
        _classes = [.. classNames.Select(_ => new Tally())];
        _groupOfClass = new Tally[classNames.Length];
        for (var i = 0; i < classNames.Length; i++)
        {
            var dot = classNames[i].IndexOf('.', StringComparison.Ordinal);
            var group = dot > 0 ? classNames[i][..dot] : classNames[i];
            if (!_groups.TryGetValue(group, out var tally))
            {
                _groups[group] = tally = new Tally();
            }
            _groupOfClass[i] = tally;
        }
        if (logPath is not null)
        {
            _log = new StreamWriter(logPath, false, new System.Text.UTF8Encoding(false), 1 << 16);
            _log.WriteLine("# intended_ms (from the measured window's start) class outcome latency_ms cache problem");
        }
    }

    public static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;

    public static long Micros(long ticks) => ticks * 1_000_000 / Stopwatch.Frequency;

    /// <summary>The measured window [start, end) in Stopwatch ticks.</summary>
    public void SetWindow(long measureStart, long measureEnd)
    {
        lock (_gate)
        {
            _measureStart = measureStart;
            _measureEnd = measureEnd;
        }
    }

    private bool Measured(long intended) => intended >= _measureStart && intended < _measureEnd;

    private Tally Second(long intended)
    {
        var second = (long)Math.Floor(Seconds(intended - _measureStart));
        if (!_seconds.TryGetValue(second, out var tally))
        {
            _seconds[second] = tally = new Tally();
        }
        return tally;
    }

    public void Scheduled(long intended, int cls, long dispatched)
    {
        lock (_gate)
        {
            Second(intended).Scheduled++;
            if (Measured(intended))
            {
                _all.Scheduled++;
                _classes[cls].Scheduled++;
                _groupOfClass[cls].Scheduled++;
                _dispatchLag.Record(Micros(dispatched - intended));
            }
        }
    }

    public void Sent(long intended, int cls, long sent)
    {
        lock (_gate)
        {
            Second(intended).Sent++;
            if (Measured(intended))
            {
                _all.Sent++;
                _classes[cls].Sent++;
                _groupOfClass[cls].Sent++;
                _sendLag.Record(Micros(sent - intended));
            }
        }
    }

    public void Answered(long intended, int cls, long now, in Response response)
    {
        var latency = Micros(now - intended);
        lock (_gate)
        {
            Second(intended).Answer(response, latency);
            if (Measured(intended))
            {
                _all.Answer(response, latency);
                _classes[cls].Answer(response, latency);
                _groupOfClass[cls].Answer(response, latency);
            }
            _log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(intended - _measureStart) * 1000.0 / Stopwatch.Frequency:F3} {_classNames[cls]} {response.Status} {latency / 1000.0:F3} {response.Cache ?? "-"} {response.Problem ?? "-"}"));
        }
    }

    public void Failed(long intended, int cls, Failure failure)
    {
        lock (_gate)
        {
            Second(intended).Fail(failure);
            if (Measured(intended))
            {
                _all.Fail(failure);
                _classes[cls].Fail(failure);
                _groupOfClass[cls].Fail(failure);
            }
            _log?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(intended - _measureStart) * 1000.0 / Stopwatch.Frequency:F3} {_classNames[cls]} {failure.ToString().ToLowerInvariant()} - - -"));
        }
    }

    /// <summary>(sent, answered, ok, errors) so far, all seconds included: the progress line.</summary>
    public (long Sent, long Answered, long Ok, long Errors) Progress()
    {
        lock (_gate)
        {
            long sent = 0, answered = 0, ok = 0, errors = 0;
            foreach (var s in _seconds.Values)
            {
                sent += s.Sent;
                answered += s.Answered;
                ok += s.Ok;
                errors += s.ErrorCount;
            }
            return (sent, answered, ok, errors);
        }
    }

    public void Write(Utf8JsonWriter json, RunFacts facts)
    {
        lock (_gate)
        {
            _log?.Flush();
            var seconds = Seconds(_measureEnd - _measureStart);
            json.WriteStartObject();
            json.WriteString("tool", "openloop");
            json.WriteNumber("connections", facts.Connections);
            json.WriteNumber("connections_established", facts.Established);
            json.WriteNumber("connect_failures_at_ramp", facts.RampFailures);
            json.WriteNumber("ramp_s", Math.Round(facts.RampSeconds, 3));
            json.WriteString("sources", string.Join(',', facts.Sources));
            json.WriteNumber("rate", facts.Rate);
            json.WriteNumber("period_s", Math.Round(facts.PeriodSeconds, 4));
            json.WriteNumber("warmup_s", facts.WarmupSeconds);
            json.WriteNumber("duration_s", Math.Round(seconds, 3));
            json.WriteNumber("timeout_s", facts.TimeoutSeconds);
            json.WriteNumber("schedule_start_epoch", Math.Round(facts.ScheduleStartEpoch, 6));
            json.WriteNumber("measure_start_epoch", Math.Round(facts.MeasureStartEpoch, 6));
            json.WriteNumber("request_lines", facts.RequestLines);
            json.WriteBoolean("request_lines_wrapped", facts.Wrapped);
            json.WriteNumber("generator_ramp_cpu_s", Math.Round(facts.RampCpuSeconds, 3));
            json.WriteNumber("generator_cpu_s", Math.Round(facts.CpuSeconds, 3));

            json.WriteNumber("offered", _all.Scheduled);
            json.WriteNumber("offered_rps", seconds > 0 ? Math.Round(_all.Scheduled / seconds, 1) : 0);
            json.WriteNumber("sent", _all.Sent);
            json.WriteNumber("answered", _all.Answered);
            json.WriteNumber("ok", _all.Ok);
            json.WriteNumber("requests", _all.Answered);
            json.WriteNumber("rps", seconds > 0 ? Math.Round(_all.Ok / seconds, 1) : 0);
            json.WriteNumber("error_count", _all.ErrorCount);
            WriteTallyBody(json, _all);

            json.WritePropertyName("dispatch_lag_ms");
            WritePercentiles(json, _dispatchLag);
            json.WritePropertyName("send_lag_ms");
            WritePercentiles(json, _sendLag);

            json.WriteStartObject("classes");
            for (var i = 0; i < _classNames.Length; i++)
            {
                json.WritePropertyName(_classNames[i]);
                WriteTally(json, _classes[i]);
            }
            json.WriteEndObject();
            json.WriteStartObject("groups");
            foreach (var (name, tally) in _groups.OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                json.WritePropertyName(name);
                WriteTally(json, tally);
            }
            json.WriteEndObject();

            json.WriteStartArray("timeline");
            foreach (var (second, tally) in _seconds)
            {
                json.WriteStartObject();
                json.WriteNumber("t", second);
                json.WriteNumber("scheduled", tally.Scheduled);
                json.WriteNumber("sent", tally.Sent);
                json.WriteNumber("ok", tally.Ok);
                json.WriteStartObject("non_2xx");
                foreach (var (status, n) in tally.Status.Where(s => s.Key is < 200 or >= 300))
                {
                    json.WriteNumber(status.ToString(CultureInfo.InvariantCulture), n);
                }
                json.WriteEndObject();
                json.WriteStartObject("errors");
                foreach (var (kind, n) in tally.Errors)
                {
                    json.WriteNumber(kind, n);
                }
                json.WriteEndObject();
                json.WriteNumber("p99_ms", tally.Latency.Count == 0 ? 0 : tally.Latency.Percentile(99) / 1000.0);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
    }

    private static void WriteTally(Utf8JsonWriter json, Tally tally)
    {
        json.WriteStartObject();
        json.WriteNumber("offered", tally.Scheduled);
        json.WriteNumber("sent", tally.Sent);
        json.WriteNumber("answered", tally.Answered);
        json.WriteNumber("ok", tally.Ok);
        json.WriteNumber("error_count", tally.ErrorCount);
        WriteTallyBody(json, tally);
        json.WriteEndObject();
    }

    private static void WriteTallyBody(Utf8JsonWriter json, Tally tally)
    {
        json.WriteStartObject("status");
        foreach (var (status, n) in tally.Status)
        {
            json.WriteNumber(status.ToString(CultureInfo.InvariantCulture), n);
        }
        json.WriteEndObject();
        json.WriteStartObject("errors");
        foreach (var kind in Enum.GetValues<Failure>())
        {
            var key = kind.ToString().ToLowerInvariant();
            json.WriteNumber(key, tally.Errors.GetValueOrDefault(key));
        }
        json.WriteEndObject();
        json.WriteStartObject("x_cache");
        foreach (var (value, n) in tally.Cache)
        {
            json.WriteNumber(value, n);
        }
        json.WriteEndObject();
        json.WriteStartObject("problems");
        foreach (var (code, n) in tally.Problems)
        {
            json.WriteNumber(code, n);
        }
        json.WriteEndObject();
        json.WritePropertyName("latency_ms");
        WritePercentiles(json, tally.Latency);
    }

    private static void WritePercentiles(Utf8JsonWriter json, Histogram h)
    {
        json.WriteStartObject();
        if (h.Count == 0)
        {
            foreach (var name in new[] { "p50", "p90", "p95", "p99", "p999", "max", "mean" })
            {
                json.WriteNull(name);
            }
        }
        else
        {
            json.WriteNumber("p50", h.Percentile(50) / 1000.0);
            json.WriteNumber("p90", h.Percentile(90) / 1000.0);
            json.WriteNumber("p95", h.Percentile(95) / 1000.0);
            json.WriteNumber("p99", h.Percentile(99) / 1000.0);
            json.WriteNumber("p999", h.Percentile(99.9) / 1000.0);
            json.WriteNumber("max", h.Max / 1000.0);
            json.WriteNumber("mean", Math.Round(h.Sum / h.Count / 1000.0, 3));
        }
        json.WriteNumber("samples", h.Count);
        json.WriteEndObject();
    }

    public void Dispose() => _log?.Dispose();
}

/// <summary>Facts of the run that are not measurements.</summary>
public sealed record RunFacts(
    int Connections,
    int Established,
    int RampFailures,
    double RampSeconds,
    IReadOnlyList<string> Sources,
    double Rate,
    double PeriodSeconds,
    double WarmupSeconds,
    double TimeoutSeconds,
    double ScheduleStartEpoch,
    double MeasureStartEpoch,
    int RequestLines,
    bool Wrapped,
    double RampCpuSeconds,
    double CpuSeconds);
