// build/bench's open-loop HTTP/1.1 load generator (see OpenLoop.csproj and Usage below).
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Capacity.Bench.OpenLoop;

public static class Program
{
    private const string Usage = """
        usage: OpenLoop --url http://HOST:PORT --requests FILE --connections N --rate R
                        [--duration S] [--warmup S] [--once] [--ramp-rate N] [--sources IP,IP,...] [--timeout S]
                        [--log FILE] [--ready-file FILE] [--seed N]

          Opens N keep-alive connections (at most --ramp-rate a second, each bound to one of --sources in turn), then
          runs a fixed schedule: every connection sends once per N / R seconds at its own random phase, so R requests a
          second are offered whatever the server does. A request whose connection is still waiting for an answer waits
          for it; its latency counts from its intended send time all the same. --warmup seconds of the schedule are run
          and not counted, then --duration seconds are measured (by intended send time). With --once the schedule runs
          until every line of FILE was sent once, all of it measured.

          FILE: one request a line, "CLASS METHOD PATH" (CLASS names the request in the report; the part before a dot is
          its group). Lines are taken in order, each once (they wrap around, flagged in the result, if the run needs
          more). Extra headers (e.g. X-Api-Key) come from the environment variable OPENLOOP_HEADERS, one "Name: value"
          a line, so they stay off the command line.

          Prints progress to stderr and one line "BENCH_JSON {...}" to stdout: offered vs sent vs answered, statuses,
          errors, latency percentiles overall, per class and per group, and a per-second timeline. --log writes every
          request (intended time, class, status or error, latency); --ready-file gets the schedule's start and the
          measured window in Unix seconds once the connections are open.
        """;

    private const string InlineCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    internal static void Say(string message) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"openloop: [{Clock.Elapsed.TotalSeconds,5:F1}s] {message}"));

    public static async Task<int> Main(string[] args)
    {
        // Socket completions run on the event thread instead of hopping to the thread pool: about a fifth less CPU per
        // request here, which the server under test gets instead (read once, at the first socket).
        if (Environment.GetEnvironmentVariable(InlineCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineCompletions, "1");
        }
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"openloop: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var (lines, classNames) = LoadRequests(options);
        if (lines.Length == 0)
        {
            Console.Error.WriteLine($"openloop: no request in {options.RequestsFile}");
            return 2;
        }
        using var stats = new Stats(classNames, options.LogFile);
        var runner = new Runner(options, lines, stats);
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;

        Say($"opening {options.Connections:N0} connections to {options.Target} from {string.Join(',', options.Sources)} at most {options.RampRate:N0}/s");
        var rampStart = Stopwatch.GetTimestamp();
        var rampFailures = await runner.RampAsync(CancellationToken.None);
        var rampSeconds = Stats.Seconds(Stopwatch.GetTimestamp() - rampStart);
        var cpuAfterRamp = Process.GetCurrentProcess().TotalProcessorTime;
        Say($"ramp: {runner.Established:N0} open, {rampFailures:N0} failed, in {rampSeconds:F1} s");
        if (runner.Established == 0)
        {
            Console.Error.WriteLine("openloop: no connection could be opened");
            return 1;
        }

        // The schedule starts a moment after the ramp; the measured window after the warm-up.
        var frequency = Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp() + (frequency / 5);
        var measureStart = start + (long)(options.WarmupSeconds * frequency);
        var measureEnd = options.Once ? long.MaxValue : measureStart + (long)(options.DurationSeconds * frequency);
        stats.SetWindow(measureStart, measureEnd);
        var epochNow = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var nowTicks = Stopwatch.GetTimestamp();
        double Epoch(long ticks) => epochNow + Stats.Seconds(ticks - nowTicks);
        if (options.ReadyFile is not null)
        {
            var tmp = options.ReadyFile + ".tmp";
            File.WriteAllText(tmp, string.Create(CultureInfo.InvariantCulture,
                $"{{\"schedule_start_epoch\":{Epoch(start):F3},\"measure_start_epoch\":{Epoch(measureStart):F3},\"measure_end_epoch\":{(options.Once ? 0 : Epoch(measureEnd)):F3}}}\n"));
            File.Move(tmp, options.ReadyFile, true);
        }

        using var cancel = new CancellationTokenSource();
        var watcher = runner.WatchTimeoutsAsync(cancel.Token);
        var progress = ReportProgressAsync(stats, cancel.Token);
        Say(options.Once
            ? $"sending {lines.Length:N0} requests at {options.Rate:N0}/s"
            : $"schedule: {options.Rate:N0} req/s ({options.PeriodSeconds:F3} s apart on each connection), {options.WarmupSeconds:g} s warm-up, {options.DurationSeconds:g} s measured");
        var scheduler = new Thread(() =>
        {
            var last = runner.Schedule(start, measureEnd, options.Once);
            if (options.Once)
            {
                stats.SetWindow(measureStart, last + 1);
            }
        })
        { IsBackground = true, Name = "schedule", Priority = ThreadPriority.Highest };
        scheduler.Start();
        await Task.Run(scheduler.Join);

        // Drain: wait for the answers of the last requests (at most the timeout and a second).
        var drainUntil = Stopwatch.GetTimestamp() + (long)((options.TimeoutSeconds + 1) * frequency);
        while (!runner.Idle() && Stopwatch.GetTimestamp() < drainUntil)
        {
            await Task.Delay(20);
        }
        runner.Stop();
        await cancel.CancelAsync();
        await watcher;
        await progress;

        var facts = new RunFacts(
            options.Connections, options.Connections - rampFailures, rampFailures, rampSeconds, [.. options.Sources.Select(s => s.ToString())],
            options.Rate, options.PeriodSeconds, options.Once ? 0 : options.WarmupSeconds, options.TimeoutSeconds,
            Epoch(start), Epoch(measureStart), lines.Length, runner.Wrapped,
            (cpuAfterRamp - cpuStart).TotalSeconds,
            (Process.GetCurrentProcess().TotalProcessorTime - cpuAfterRamp).TotalSeconds);
        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            stats.Write(json, facts);
        }
        Console.Out.Write("BENCH_JSON ");
        Console.Out.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
        Console.Out.Flush();
        if (runner.Wrapped)
        {
            Say("warning: the run needed more requests than the file holds; lines were reused");
        }
        return 0;
    }

    private static async Task ReportProgressAsync(Stats stats, CancellationToken cancellationToken)
    {
        long lastSent = 0;
        try
        {
            while (true)
            {
                await Task.Delay(1000, cancellationToken);
                var (sent, answered, ok, errors) = stats.Progress();
                Say($"sent {sent:N0} (+{sent - lastSent:N0}), answered {answered:N0}, 2xx {ok:N0}, errors {errors:N0}");
                lastSent = sent;
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The request file, each line encoded once as HTTP/1.1 bytes.</summary>
    private static (RequestLine[] Lines, string[] Classes) LoadRequests(Options options)
    {
        var headers = new StringBuilder();
        headers.Append("Host: ").Append(options.HostHeader).Append("\r\n");
        foreach (var line in (Environment.GetEnvironmentVariable("OPENLOOP_HEADERS") ?? "").Split('\n'))
        {
            var h = line.Trim();
            if (h.Length > 0 && h.Contains(':', StringComparison.Ordinal))
            {
                headers.Append(h).Append("\r\n");
            }
        }
        var common = headers.ToString();
        var classes = new Dictionary<string, int>(StringComparer.Ordinal);
        var lines = new List<RequestLine>();
        foreach (var raw in File.ReadLines(options.RequestsFile))
        {
            var parts = raw.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || parts[0].StartsWith('#'))
            {
                continue;
            }
            if (parts.Length != 3 || !parts[2].StartsWith('/'))
            {
                throw new InvalidDataException($"{options.RequestsFile}: not \"CLASS METHOD PATH\": {raw}");
            }
            if (!classes.TryGetValue(parts[0], out var cls))
            {
                classes[parts[0]] = cls = classes.Count;
            }
            var method = parts[1].ToUpperInvariant();
            var body = method is "POST" or "PUT" or "PATCH" ? "Content-Length: 0\r\n" : "";
            lines.Add(new RequestLine(cls, Encoding.ASCII.GetBytes($"{method} {parts[2]} HTTP/1.1\r\n{common}{body}\r\n")));
        }
        return ([.. lines], [.. classes.OrderBy(c => c.Value).Select(c => c.Key)]);
    }
}

/// <summary>The command line.</summary>
public sealed record Options(
    IPEndPoint Target,
    string HostHeader,
    string RequestsFile,
    int Connections,
    double Rate,
    double DurationSeconds,
    double WarmupSeconds,
    bool Once,
    double RampRate,
    IReadOnlyList<IPAddress> Sources,
    double TimeoutSeconds,
    string? LogFile,
    string? ReadyFile,
    int Seed)
{
    public double PeriodSeconds => Connections / Rate;

    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var once = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--once")
            {
                once = true;
                continue;
            }
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"bad argument: {args[i]}");
            }
            values[args[i][2..]] = args[++i];
        }
        string Get(string name) => values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"--{name} is required");
        double Number(string name, double fallback, double min, double max)
        {
            if (!values.TryGetValue(name, out var text))
            {
                return fallback;
            }
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            {
                throw new ArgumentException($"--{name} must be a number in {min}..{max}");
            }
            return n;
        }
        foreach (var name in values.Keys)
        {
            if (name is not ("url" or "requests" or "connections" or "rate" or "duration" or "warmup" or "ramp-rate"
                or "sources" or "timeout" or "log" or "ready-file" or "seed"))
            {
                throw new ArgumentException($"unknown option --{name}");
            }
        }

        var url = new Uri(Get("url"));
        if (url.Scheme != "http" || !IPAddress.TryParse(url.Host, out var address))
        {
            throw new ArgumentException("--url must be http://IP:PORT");
        }
        var sources = values.TryGetValue("sources", out var list)
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => IPAddress.TryParse(s, out var ip) ? ip : throw new ArgumentException($"bad source address {s}")).ToArray()
            : [IPAddress.Loopback];
        var rate = Number("rate", 0, 0.001, 1_000_000);
        if (rate <= 0)
        {
            throw new ArgumentException("--rate is required");
        }
        var connections = (int)Number("connections", 0, 1, 1_000_000);
        if (!once && !values.ContainsKey("duration"))
        {
            throw new ArgumentException("--duration is required (or --once)");
        }
        return new Options(
            new IPEndPoint(address, url.Port),
            $"{url.Host}:{url.Port}",
            Get("requests"),
            connections,
            rate,
            Number("duration", 0, 0.1, 3600),
            once ? 0 : Number("warmup", 0, 0, 3600),
            once,
            Number("ramp-rate", 2000, 1, 1_000_000),
            sources,
            Number("timeout", 5, 0.1, 600),
            values.GetValueOrDefault("log"),
            values.GetValueOrDefault("ready-file"),
            (int)Number("seed", 1, 0, int.MaxValue));
    }
}
