using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Capacity.Bench.OpenLoop;

/// <summary>One request of the file, encoded once.</summary>
public sealed record RequestLine(int Class, byte[] Bytes);

/// <summary>
/// One keep-alive connection and its queue. At most one request is on the wire (no pipelining); a request whose
/// time comes while the connection is busy waits in <see cref="Pending"/> and is sent as soon as the answer before it
/// arrives, its latency still counted from its intended time.
/// </summary>
internal sealed class Connection(int id, IPAddress source)
{
    public readonly int Id = id;
    public readonly IPAddress Source = source;
    public readonly Lock Gate = new();
    public readonly Queue<(long Intended, int Line)> Pending = new();
    public Socket? Socket;
    public int Generation;
    public bool Connecting;
    public long RetryAfter;
    public bool Busy;
    public long Intended;
    public int Line;
    public long SentAt;
}

/// <summary>The connections, the schedule, the timeouts and the drain.</summary>
internal sealed class Runner(Options options, RequestLine[] lines, Stats stats)
{
    private readonly Connection[] _connections = new Connection[options.Connections];
    private readonly IPEndPoint _target = options.Target;
    private readonly long _timeoutTicks = (long)(options.TimeoutSeconds * Stopwatch.Frequency);
    private volatile bool _stopping;
    private long _nextLine;
    private int _established;

    public bool Wrapped { get; private set; }

    public int Established => Volatile.Read(ref _established);

    private static long Now => Stopwatch.GetTimestamp();

    /// <summary>Opens every connection at most RampRate per second (Kestrel's accept backlog is finite).</summary>
    public async Task<int> RampAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        using var inFlight = new SemaphoreSlim(256);
        var tasks = new List<Task>(_connections.Length);
        var start = Now;
        var lastReport = start;
        for (var i = 0; i < _connections.Length; i++)
        {
            var c = _connections[i] = new Connection(i, options.Sources[i % options.Sources.Count]);
            var due = start + (long)(i / options.RampRate * Stopwatch.Frequency);
            var wait = due - Now;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(Stats.Seconds(wait)), cancellationToken);
            }
            await inFlight.WaitAsync(cancellationToken);
            tasks.Add(Task.Run(async () =>
            {
                try
                {
                    for (var attempt = 1; attempt <= 3; attempt++)
                    {
                        if (await OpenAsync(c))
                        {
                            return;
                        }
                        await Task.Delay(500, cancellationToken);
                    }
                    Interlocked.Increment(ref failures);
                }
                finally
                {
                    inFlight.Release();
                }
            }, cancellationToken));
            if (Now - lastReport > Stopwatch.Frequency)
            {
                lastReport = Now;
                Program.Say($"ramp: {Established:N0} of {_connections.Length:N0} connections open");
            }
        }
        await Task.WhenAll(tasks);
        return failures;
    }

    /// <summary>A new socket for c (bound to its source address), and its receive loop.</summary>
    private async Task<bool> OpenAsync(Connection c)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(c.Source, 0));
            await socket.ConnectAsync(_target).WaitAsync(TimeSpan.FromSeconds(options.TimeoutSeconds));
        }
        catch (Exception e) when (e is SocketException or TimeoutException or ObjectDisposedException)
        {
            socket.Dispose();
            return false;
        }
        int generation;
        lock (c.Gate)
        {
            if (_stopping)
            {
                socket.Dispose();
                return false;
            }
            c.Socket = socket;
            generation = ++c.Generation;
            c.Connecting = false;
            Interlocked.Increment(ref _established);
        }
        _ = ReceiveLoopAsync(c, socket, generation);
        lock (c.Gate)
        {
            if (c.Generation == generation && !c.Busy && c.Pending.Count > 0)
            {
                var (intended, line) = c.Pending.Dequeue();
                SendLocked(c, intended, line);
            }
        }
        return true;
    }

    private void StartReopenLocked(Connection c)
    {
        c.Connecting = true;
        _ = Task.Run(async () =>
        {
            if (await OpenAsync(c))
            {
                return;
            }
            lock (c.Gate)
            {
                // The server refuses connections: what waited here fails now, and new requests fail at once for a
                // second (instead of a connect attempt per request).
                c.Connecting = false;
                c.RetryAfter = Now + Stopwatch.Frequency;
                while (c.Pending.Count > 0)
                {
                    var (intended, line) = c.Pending.Dequeue();
                    stats.Failed(intended, lines[line].Class, Failure.Connect);
                }
            }
        });
    }

    private void SendLocked(Connection c, long intended, int line)
    {
        var now = Now;
        c.Busy = true;
        c.Intended = intended;
        c.Line = line;
        c.SentAt = now;
        stats.Sent(intended, lines[line].Class, now);
        try
        {
            c.Socket!.Send(lines[line].Bytes, SocketFlags.None);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            BreakLocked(c, Failure.Write);
        }
    }

    /// <summary>Fails the request on the wire (if any), closes the socket and opens a new one when requests wait.</summary>
    private void BreakLocked(Connection c, Failure failure)
    {
        if (c.Busy)
        {
            c.Busy = false;
            stats.Failed(c.Intended, lines[c.Line].Class, failure);
        }
        c.Generation++;
        if (c.Socket is { } socket)
        {
            c.Socket = null;
            Interlocked.Decrement(ref _established);
            socket.Dispose();
        }
        if (!_stopping && c.Pending.Count > 0 && !c.Connecting)
        {
            StartReopenLocked(c);
        }
    }

    private async Task ReceiveLoopAsync(Connection c, Socket socket, int generation)
    {
        var buffer = new byte[2048];
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
                var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
                if (n == 0)
                {
                    Broken(c, generation, Failure.Read);
                    return;
                }
                filled += n;
                var result = ResponseParser.TryParse(buffer.AsSpan(0, filled), out var response);
                if (result == ParseResult.Incomplete)
                {
                    continue;
                }
                if (result == ParseResult.Invalid)
                {
                    Broken(c, generation, Failure.Read);
                    return;
                }
                var now = Now;
                var rest = filled - response.Length;
                if (rest > 0)
                {
                    Buffer.BlockCopy(buffer, response.Length, buffer, 0, rest);
                }
                filled = rest;
                if (!Answered(c, generation, now, response))
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Broken(c, generation, Failure.Read);
        }
    }

    private void Broken(Connection c, int generation, Failure failure)
    {
        lock (c.Gate)
        {
            if (c.Generation == generation)
            {
                BreakLocked(c, failure);
            }
        }
    }

    /// <summary>Records the answer and sends what waits; false when this socket is done.</summary>
    private bool Answered(Connection c, int generation, long now, in Response response)
    {
        lock (c.Gate)
        {
            if (c.Generation != generation)
            {
                return false;
            }
            if (!c.Busy)
            {
                // An answer nobody asked for: the stream is out of step.
                BreakLocked(c, Failure.Read);
                return false;
            }
            c.Busy = false;
            stats.Answered(c.Intended, lines[c.Line].Class, now, response);
            if (response.Close)
            {
                BreakLocked(c, Failure.Read);
                return false;
            }
            if (c.Pending.Count > 0 && !_stopping)
            {
                var (intended, line) = c.Pending.Dequeue();
                SendLocked(c, intended, line);
            }
            return true;
        }
    }

    /// <summary>A scheduled request: sent now if its connection is free, else queued behind it.</summary>
    private void Dispatch(Connection c, long intended, int line, long now)
    {
        var cls = lines[line].Class;
        stats.Scheduled(intended, cls, now);
        lock (c.Gate)
        {
            if (c.Socket is not null && !c.Busy && c.Pending.Count == 0)
            {
                SendLocked(c, intended, line);
                return;
            }
            if (c.Socket is null && !c.Connecting)
            {
                if (now < c.RetryAfter)
                {
                    stats.Failed(intended, cls, Failure.Connect);
                    return;
                }
                StartReopenLocked(c);
            }
            c.Pending.Enqueue((intended, line));
        }
    }

    /// <summary>
    /// The schedule: connection i sends at start + phase_i + k * period while that is before end (or, with once, until
    /// every line was sent once). Connections are walked in phase order, so one thread keeps the whole schedule.
    /// </summary>
    public long Schedule(long start, long end, bool once)
    {
        Native.FineTimerSlack();
        var random = new Random(options.Seed);
        var period = (long)(options.PeriodSeconds * Stopwatch.Frequency);
        var phases = new long[_connections.Length];
        for (var i = 0; i < phases.Length; i++)
        {
            phases[i] = (long)(random.NextDouble() * period);
        }
        var order = Enumerable.Range(0, phases.Length).OrderBy(i => phases[i]).ToArray();
        long last = start;
        for (long round = 0; ; round++)
        {
            var roundStart = start + (round * period);
            foreach (var i in order)
            {
                var intended = roundStart + phases[i];
                if (once ? _nextLine >= lines.Length : intended >= end)
                {
                    return last;
                }
                WaitUntil(intended);
                var seq = _nextLine++;
                if (seq >= lines.Length)
                {
                    Wrapped = true;
                }
                Dispatch(_connections[i], intended, (int)(seq % lines.Length), Now);
                last = intended;
            }
        }
    }

    private static void WaitUntil(long due)
    {
        while (true)
        {
            var remaining = Stats.Micros(due - Now);
            if (remaining <= 0)
            {
                return;
            }
            Native.SleepMicros(remaining);
        }
    }

    /// <summary>Fails requests on the wire longer than the timeout (checked every 100 ms until stopped).</summary>
    public async Task WatchTimeoutsAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(100, cancellationToken);
                var now = Now;
                foreach (var c in _connections)
                {
                    if (c is null)
                    {
                        continue;
                    }
                    lock (c.Gate)
                    {
                        if (c.Busy && now - c.SentAt > _timeoutTicks)
                        {
                            BreakLocked(c, Failure.Timeout);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>True when nothing is on the wire or waiting.</summary>
    public bool Idle()
    {
        foreach (var c in _connections)
        {
            lock (c.Gate)
            {
                if (c.Busy || c.Pending.Count > 0 || (c.Connecting && c.Pending.Count > 0))
                {
                    return false;
                }
            }
        }
        return true;
    }

    /// <summary>Ends the run: what is still on the wire is unanswered, what still waits unsent; every socket closed.</summary>
    public void Stop()
    {
        _stopping = true;
        foreach (var c in _connections)
        {
            if (c is null)
            {
                continue;
            }
            lock (c.Gate)
            {
                while (c.Pending.Count > 0)
                {
                    var (intended, line) = c.Pending.Dequeue();
                    stats.Failed(intended, lines[line].Class, Failure.Unsent);
                }
                BreakLocked(c, Failure.Unanswered);
            }
        }
    }
}
