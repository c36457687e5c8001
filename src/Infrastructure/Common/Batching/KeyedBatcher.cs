using Microsoft.Extensions.Logging;

namespace Capacity.Infrastructure.Common.Batching;

/// <summary>How a <see cref="KeyedBatcher{TItem,TResult}"/> batches, waits and backs off.</summary>
/// <param name="Deadline">How long an item may wait for its transaction before it is answered busy.</param>
/// <param name="MaxBatchSize">Items per transaction, at most.</param>
/// <param name="InitialBackoff">The first backoff after a batch met another instance's lock (doubles, with jitter).</param>
/// <param name="LockAttempts">Doublings of the backoff before it stops growing.</param>
internal sealed record BatchingSettings(TimeSpan Deadline, int MaxBatchSize, TimeSpan InitialBackoff, int LockAttempts);

/// <summary>
/// Coalesces work on one key (an access code, a coupon) on this instance. Items that arrive while a transaction of the
/// same key is in flight wait and join the next one, so throughput on a hot key is not bounded by one commit per item
/// and items of one key never race each other for its row lock. The writer answers one result per item, in order, or
/// null when another instance held the row (nothing changed): the batch rejoins the queue (with whatever arrived
/// meanwhile) after a jittered backoff, and an item is answered busy only when its own deadline passes. A writer that
/// throws fails its batch (the pipeline maps a database failure to 503); a caller that gives up before its item joins a
/// transaction leaves no trace. Claims of access codes and redemptions of coupons both run on it.
/// </summary>
internal sealed partial class KeyedBatcher<TItem, TResult>(
    string what,
    Func<string, IReadOnlyList<TItem>, DateTimeOffset, Task<TResult[]?>> write,
    Func<string, TResult> busy,
    BatchingSettings settings,
    TimeProvider clock,
    ILogger logger,
    Action<int>? batchWritten = null)
{
    private readonly Dictionary<string, KeyQueue> _queues = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();

    /// <summary>Keys with items waiting or in flight right now.</summary>
    public int ActiveKeys
    {
        get
        {
            lock (_sync)
            {
                return _queues.Count;
            }
        }
    }

    public async Task<TResult> EnqueueAsync(string key, TItem item, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(item, clock.GetUtcNow() + settings.Deadline);
        bool startDrain;
        lock (_sync)
        {
            if (!_queues.TryGetValue(key, out var queue))
            {
                queue = new KeyQueue();
                _queues[key] = queue;
            }

            queue.Waiting.Add(pending);
            startDrain = !queue.Draining;
            queue.Draining = true;
        }

        if (startDrain)
        {
            _ = Task.Run(() => DrainAsync(key), CancellationToken.None);
        }

        // Once the item has joined a transaction, the outcome stands whatever the caller does.
        await using var registration = cancellationToken.Register(static state => ((Pending)state!).TryCancel(), pending);
        return await pending.Completion.Task;
    }

    /// <summary>Runs the transactions of one key until its queue is empty, then removes the queue.</summary>
    private async Task DrainAsync(string key)
    {
        var inFlight = new List<Pending>();
        try
        {
            await DrainBatchesAsync(key, inFlight);
        }
        catch (Exception e)
        {
            // A bug here must not leave callers waiting forever: fail the batch in hand and whatever is queued.
            LogDrainFailed(logger, e, what, key);
            inFlight.ForEach(p => p.Fail(e));
            lock (_sync)
            {
                if (_queues.Remove(key, out var queue))
                {
                    queue.Waiting.ForEach(p => p.Fail(e));
                }
            }
        }
    }

    private async Task DrainBatchesAsync(string key, List<Pending> inFlight)
    {
        var collisions = 0;
        while (true)
        {
            var batch = TakeBatch(key);
            if (batch is null)
            {
                return;
            }

            var now = clock.GetUtcNow();
            var live = new List<Pending>(batch.Count);
            foreach (var pending in batch)
            {
                if (pending.Deadline <= now)
                {
                    pending.Complete(busy(key));
                }
                else
                {
                    live.Add(pending);
                }
            }

            if (live.Count == 0)
            {
                continue;
            }

            inFlight.Clear();
            inFlight.AddRange(live);
            TResult[]? results;
            try
            {
                results = await write(key, live.ConvertAll(p => p.Item), live.Min(p => p.Deadline));
            }
            catch (Exception e)
            {
                LogBatchFailed(logger, e, what, key, live.Count);
                live.ForEach(p => p.Fail(e));
                continue;
            }

            if (results is null)
            {
                // Never back off past the earliest deadline of the batch: those items are then answered busy on time.
                collisions++;
                Requeue(key, live);
                var untilEarliestDeadline = live.Min(p => p.Deadline) - clock.GetUtcNow();
                var backoff = Backoff(collisions);
                await Task.Delay(backoff < untilEarliestDeadline ? backoff : TimeSpan.FromTicks(Math.Max(0, untilEarliestDeadline.Ticks)), clock);
                continue;
            }

            if (results.Length != live.Count)
            {
                throw new InvalidOperationException($"The {what} transaction of {key} answered {results.Length} outcomes for {live.Count} items.");
            }

            collisions = 0;
            for (var i = 0; i < live.Count; i++)
            {
                live[i].Complete(results[i]);
            }

            inFlight.Clear();
            batchWritten?.Invoke(live.Count);
        }
    }

    /// <summary>Takes up to MaxBatchSize waiting items; null (and the queue removed) when none is left.</summary>
    private List<Pending>? TakeBatch(string key)
    {
        lock (_sync)
        {
            var queue = _queues[key];
            var batch = new List<Pending>(Math.Min(queue.Waiting.Count, settings.MaxBatchSize));
            var taken = 0;
            while (taken < queue.Waiting.Count && batch.Count < settings.MaxBatchSize)
            {
                var pending = queue.Waiting[taken++];
                if (pending.TryTake())
                {
                    batch.Add(pending);
                }
            }

            queue.Waiting.RemoveRange(0, taken);
            if (batch.Count == 0 && queue.Waiting.Count == 0)
            {
                _queues.Remove(key);
                return null;
            }

            return batch;
        }
    }

    private void Requeue(string key, List<Pending> items)
    {
        lock (_sync)
        {
            items.ForEach(p => p.Release());
            _queues[key].Waiting.InsertRange(0, items);
        }
    }

    private TimeSpan Backoff(int collisions)
    {
        var ceiling = settings.InitialBackoff * Math.Pow(2, Math.Min(collisions, settings.LockAttempts) - 1);
        return ceiling * (0.5 + (Random.Shared.NextDouble() / 2));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {What} transaction of {Key} failed for {Items} items.")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, string what, string key, int items);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {What} queue of {Key} stopped unexpectedly.")]
    private static partial void LogDrainFailed(ILogger logger, Exception exception, string what, string key);

    private sealed class KeyQueue
    {
        public List<Pending> Waiting { get; } = [];

        public bool Draining { get; set; }
    }

    /// <summary>An item waiting for its transaction. State: 0 waiting, 1 in a transaction, 2 cancelled.</summary>
    private sealed class Pending(TItem item, DateTimeOffset deadline)
    {
        private int _state;

        public TItem Item { get; } = item;

        public DateTimeOffset Deadline { get; } = deadline;

        // Continuations run on the thread pool, not inline in the drain loop that completes hundreds at once.
        public TaskCompletionSource<TResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryTake() => Interlocked.CompareExchange(ref _state, 1, 0) == 0;

        public void Release() => Volatile.Write(ref _state, 0);

        public void TryCancel()
        {
            if (Interlocked.CompareExchange(ref _state, 2, 0) == 0)
            {
                Completion.TrySetCanceled();
            }
        }

        public void Complete(TResult result) => Completion.TrySetResult(result);

        public void Fail(Exception exception) => Completion.TrySetException(exception);
    }
}
