using Capacity.Application.AccessCodes;
using Capacity.Application.Common.Metrics;
using Capacity.Domain.AccessCodes;
using Capacity.Domain.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capacity.Infrastructure.AccessCodes;

/// <summary>
/// Coalesces the claims of one code on this instance. Claims that arrive while a claim transaction of the
/// same code is in flight wait here and join the next transaction, which grants all of them it can with one
/// row lock (<see cref="ClaimStatements"/>; batches of different codes may share a commit, see
/// <see cref="GroupedClaimWriter"/>). So throughput on a hot code is not bounded by
/// one commit per seat, claims of one code never race each other for the row lock, and NOWAIT + backoff only
/// meets other instances. A batch that meets another instance's lock rejoins the queue (with whatever
/// arrived meanwhile) after a jittered backoff; a claim is answered "busy" only when its own deadline passes.
/// </summary>
internal sealed partial class ClaimCoalescer(
    IClaimBatchWriter writer,
    IOptions<ClaimOptions> options,
    TimeProvider clock,
    ILogger<ClaimCoalescer> logger)
{
    private readonly ClaimOptions _options = options.Value;
    private readonly Dictionary<string, CodeQueue> _queues = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();

    /// <summary>Codes with claims waiting or in flight right now.</summary>
    public int ActiveCodes
    {
        get
        {
            lock (_sync)
            {
                return _queues.Count;
            }
        }
    }

    public async Task<Result<SeatGrant>> ClaimAsync(string code, string? clientRef, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var claim = new PendingClaim(clientRef, clock.GetUtcNow() + _options.Deadline);
        bool startDrain;
        lock (_sync)
        {
            if (!_queues.TryGetValue(code, out var queue))
            {
                queue = new CodeQueue();
                _queues[code] = queue;
            }

            queue.Waiting.Add(claim);
            startDrain = !queue.Draining;
            queue.Draining = true;
        }

        if (startDrain)
        {
            _ = Task.Run(() => DrainAsync(code), CancellationToken.None);
        }

        // A caller that gives up before its claim joins a transaction leaves no trace; once it has joined,
        // the outcome stands (a granted seat is then an open session that idle cleanup will end).
        await using var registration = cancellationToken.Register(static state => ((PendingClaim)state!).TryCancel(), claim);

        return await claim.Completion.Task;
    }

    /// <summary>Runs the transactions of one code until its queue is empty, then removes the queue.</summary>
    private async Task DrainAsync(string code)
    {
        var inFlight = new List<PendingClaim>();
        try
        {
            await DrainBatchesAsync(code, inFlight);
        }
        catch (Exception e)
        {
            // A bug here must not leave callers waiting forever: fail the batch in hand (answered claims ignore
            // it) and whatever is queued, and drop the queue.
            LogDrainFailed(logger, e, code);
            inFlight.ForEach(c => c.Fail(e));
            lock (_sync)
            {
                if (_queues.Remove(code, out var queue))
                {
                    queue.Waiting.ForEach(c => c.Fail(e));
                }
            }
        }
    }

    private async Task DrainBatchesAsync(string code, List<PendingClaim> inFlight)
    {
        var collisions = 0;
        while (true)
        {
            var batch = TakeBatch(code);
            if (batch is null)
            {
                return;
            }

            var now = clock.GetUtcNow();
            var live = new List<PendingClaim>(batch.Count);
            foreach (var claim in batch)
            {
                if (claim.Deadline <= now)
                {
                    claim.Complete(AccessCodeErrors.Busy(code, _options.RetryAfterSeconds));
                }
                else
                {
                    live.Add(claim);
                }
            }

            if (live.Count == 0)
            {
                continue;
            }

            inFlight.Clear();
            inFlight.AddRange(live);
            Result<SeatGrant>[]? results;
            try
            {
                results = await writer.TryGrantAsync(
                    code, live.ConvertAll(c => c.ClientRef), live.Min(c => c.Deadline), CancellationToken.None);
            }
            catch (Exception e)
            {
                // The database failed (or is down): every claim of this batch sees the same exception, which the
                // pipeline maps to 503 and counts toward the circuit breaker.
                LogBatchFailed(logger, e, code, live.Count);
                live.ForEach(c => c.Fail(e));
                continue;
            }

            if (results is null)
            {
                // Never back off past the earliest deadline of the batch: those claims are then answered busy
                // on time by the next TakeBatch. (A batch waiting for a grouped transaction comes back null at its
                // earliest deadline, and a statement in flight times out after the deadline's length.)
                collisions++;
                Requeue(code, live);
                var untilEarliestDeadline = live.Min(c => c.Deadline) - clock.GetUtcNow();
                var backoff = Backoff(collisions);
                await Task.Delay(backoff < untilEarliestDeadline ? backoff : TimeSpan.FromTicks(Math.Max(0, untilEarliestDeadline.Ticks)), clock);
                continue;
            }

            if (results.Length != live.Count)
            {
                throw new InvalidOperationException(
                    $"The claim transaction of {code} answered {results.Length} outcomes for {live.Count} claims.");
            }

            collisions = 0;
            for (var i = 0; i < live.Count; i++)
            {
                live[i].Complete(results[i]);
            }

            inFlight.Clear();
            ClaimMetrics.ClaimBatchSize.Record(live.Count);
        }
    }

    /// <summary>Takes up to MaxBatchSize waiting claims; null (and the queue removed) when none is left.</summary>
    private List<PendingClaim>? TakeBatch(string code)
    {
        lock (_sync)
        {
            var queue = _queues[code];
            var batch = new List<PendingClaim>(Math.Min(queue.Waiting.Count, _options.MaxBatchSize));
            var taken = 0;
            while (taken < queue.Waiting.Count && batch.Count < _options.MaxBatchSize)
            {
                var claim = queue.Waiting[taken++];
                if (claim.TryTake())
                {
                    batch.Add(claim);
                }
            }

            queue.Waiting.RemoveRange(0, taken);
            if (batch.Count == 0 && queue.Waiting.Count == 0)
            {
                _queues.Remove(code);
                return null;
            }

            return batch;
        }
    }

    private void Requeue(string code, List<PendingClaim> claims)
    {
        lock (_sync)
        {
            claims.ForEach(c => c.Release());
            _queues[code].Waiting.InsertRange(0, claims);
        }
    }

    private TimeSpan Backoff(int collisions)
    {
        var ceiling = _options.InitialBackoff * Math.Pow(2, Math.Min(collisions, _options.LockAttempts) - 1);
        return ceiling * (0.5 + (Random.Shared.NextDouble() / 2));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A claim transaction of {Code} failed for {Claims} claims.")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, string code, int claims);

    [LoggerMessage(Level = LogLevel.Error, Message = "The claim queue of {Code} stopped unexpectedly.")]
    private static partial void LogDrainFailed(ILogger logger, Exception exception, string code);

    private sealed class CodeQueue
    {
        public List<PendingClaim> Waiting { get; } = [];

        public bool Draining { get; set; }
    }

    /// <summary>A claim waiting for its transaction. State: 0 waiting, 1 in a transaction, 2 cancelled.</summary>
    private sealed class PendingClaim(string? clientRef, DateTimeOffset deadline)
    {
        private int _state;

        public string? ClientRef { get; } = clientRef;

        public DateTimeOffset Deadline { get; } = deadline;

        // Continuations run on the thread pool, not inline in the drain loop that completes hundreds at once.
        public TaskCompletionSource<Result<SeatGrant>> Completion { get; } =
            new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryTake() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public void Release() => Volatile.Write(ref _state, 0);

        public void TryCancel()
        {
            if (Interlocked.CompareExchange(ref _state, 2, 0) == 0)
            {
                Completion.TrySetCanceled();
            }
        }


        public void Complete(Result<SeatGrant> result) => Completion.TrySetResult(result);

        public void Fail(Exception exception) => Completion.TrySetException(exception);
    }
}
