using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Capacity.Application.Coupons;
using Capacity.Application.Common.Metrics;
using Capacity.Domain.Coupons;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Capacity.Infrastructure.Coupons.ValidationLogs;

/// <summary>
/// <see cref="IValidationLog"/>: a row is appended to the local journal, then queued (bounded); this background writer
/// stores queued rows every <see cref="ValidationLogOptions.FlushInterval"/> or <see cref="ValidationLogOptions.BatchSize"/>
/// rows with binary COPY (<see cref="ValidationLogStore"/>: idempotent by row id), retrying with backoff while the
/// database is away. Rows that did not fit in the queue, and every segment an earlier process left, are read back from
/// the journal (a sweep). A journal segment is deleted only once the database has all its rows. On graceful shutdown
/// the queue is written out; what cannot be written stays in the journal for the next start.
/// </summary>
internal sealed partial class ValidationLogWriter : BackgroundService, IValidationLog
{
    private static readonly ConcurrentDictionary<ValidationLogWriter, byte> Live = new();

    private readonly ValidationLogOptions _options;
    private readonly ValidationJournal _journal;
    private readonly ValidationLogStore _store;
    private readonly TimeProvider _clock;
    private readonly ILogger<ValidationLogWriter> _logger;
    private readonly Channel<(ValidationLogEntry Entry, ValidationJournal.Segment Segment)> _queue;
    private readonly List<(ValidationLogEntry Entry, ValidationJournal.Segment Segment)> _batch;
    private long _dropped;
    private long _lastDropTicks;

    static ValidationLogWriter()
    {
        CapacityMetrics.Meter.CreateObservableGauge(
            "capacity.validation_log.journal_bytes", () => Live.Keys.Sum(w => w._journal.Bytes), unit: "By",
            description: "Bytes of validation log journal not yet known to be stored.");
        CapacityMetrics.Meter.CreateObservableGauge(
            "capacity.validation_log.queued", () => Live.Keys.Sum(w => w._queue.Reader.Count),
            description: "Validation log rows waiting in memory for the writer.");
    }

    public ValidationLogWriter(
        IOptions<ValidationLogOptions> options, ValidationLogStore store, IHostEnvironment environment, TimeProvider clock,
        ILogger<ValidationLogWriter> logger)
    {
        _options = options.Value;
        _store = store;
        _clock = clock;
        _logger = logger;
        var directory = Path.IsPathRooted(_options.JournalDirectory)
            ? _options.JournalDirectory
            : Path.Combine(environment.ContentRootPath, _options.JournalDirectory);
        _journal = new ValidationJournal(_options, directory, clock, logger);
        _queue = Channel.CreateBounded<(ValidationLogEntry, ValidationJournal.Segment)>(
            new BoundedChannelOptions(_options.QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
        _batch = new List<(ValidationLogEntry, ValidationJournal.Segment)>(_options.BatchSize);
        Live[this] = 0;
    }

    private int MaxRowsPerWrite => Math.Max(_options.BatchSize, _options.MaxRowsPerWrite);

    public void Record(ValidationLogEntry entry)
    {
        ValidationJournal.Segment segment;
        bool appended;
        try
        {
            appended = _journal.TryAppend(entry, out segment);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or UnauthorizedAccessException)
        {
            // The journal cannot take the row (disk full, shutting down): the request never fails for its log.
            LogAppendFailed(_logger, e);
            appended = false;
            segment = null!;
        }

        if (!appended)
        {
            Interlocked.Increment(ref _dropped);
            Interlocked.Exchange(ref _lastDropTicks, _clock.GetUtcNow().UtcTicks);
            ValidationLogMetrics.RowsDropped.Add(1);
            return;
        }

        if (!_queue.Writer.TryWrite((entry, segment)))
        {
            // In the journal only: the writer reads the segment back once it has caught up.
            _journal.MarkOverflow(segment);
        }
    }

    public ValidationLogStatus Status
    {
        get
        {
            var now = _clock.GetUtcNow();
            var oldest = _journal.OldestSegmentStartedAt;
            var bytes = _journal.Bytes;
            var recentlyDropped = now.UtcTicks - Interlocked.Read(ref _lastDropTicks) < TimeSpan.TicksPerMinute;
            return new ValidationLogStatus(
                _queue.Reader.Count,
                bytes,
                oldest is { } o ? Math.Max(0, (now - o).TotalSeconds) : 0,
                Interlocked.Read(ref _dropped),
                recentlyDropped || bytes > _options.JournalMaxBytes * 9 / 10);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var syncLoop = new CancellationTokenSource();
        var sync = SyncLoopAsync(syncLoop.Token);
        try
        {
            await RunAsync(stoppingToken);
        }
        finally
        {
            // Graceful shutdown: write out what is queued, for a bounded time; the rest stays in the journal.
            using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await DrainQueueAsync(drain.Token);
                _journal.DeleteStored();
            }
            catch (Exception e)
            {
                LogShutdownLeftInJournal(_logger, e, _queue.Reader.Count + _batch.Count);
            }
            finally
            {
                await syncLoop.CancelAsync();
                await sync;
                _journal.Dispose();
                Live.TryRemove(this, out _);
            }
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        // A field, not a local: rows gathered when shutdown interrupts the wait are written out by the drain.
        var batch = _batch;
        while (!stoppingToken.IsCancellationRequested)
        {
            await SweepAsync(stoppingToken);

            // Wait for the first row (or a sweep to do), then gather up to BatchSize rows for at most FlushInterval.
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                wait.CancelAfter(_options.FlushInterval);
                try
                {
                    if (batch.Count == 0 && !await _queue.Reader.WaitToReadAsync(wait.Token))
                    {
                        return;
                    }

                    while (batch.Count < _options.BatchSize)
                    {
                        while (batch.Count < _options.BatchSize && _queue.Reader.TryRead(out var row))
                        {
                            batch.Add(row);
                        }

                        if (batch.Count >= _options.BatchSize || !await _queue.Reader.WaitToReadAsync(wait.Token))
                        {
                            break;
                        }
                    }
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // FlushInterval passed: write what there is.
                }
            }

            // Whatever else is queued by now goes in the same COPY (one commit for many rows under load).
            while (batch.Count < MaxRowsPerWrite && _queue.Reader.TryRead(out var more))
            {
                batch.Add(more);
            }

            if (batch.Count > 0)
            {
                await WriteWithRetryAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
    }

    /// <summary>Reads back every segment that holds rows the queue does not (overflow, or left by an earlier process).</summary>
    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        foreach (var segment in _journal.SegmentsToSweep())
        {
            // The next chunk is read and parsed while the previous one is being copied (one COPY in flight at a time).
            Task writing = Task.CompletedTask;
            var chunk = new List<ValidationLogEntry>(MaxRowsPerWrite);
            foreach (var entry in _journal.Read(segment))
            {
                chunk.Add(entry);
                if (chunk.Count == chunk.Capacity)
                {
                    await writing;
                    var full = chunk;
                    writing = Task.Run(() => WriteEntriesWithRetryAsync(full, stoppingToken), CancellationToken.None);
                    chunk = new List<ValidationLogEntry>(MaxRowsPerWrite);
                }
            }

            await writing;
            if (chunk.Count > 0)
            {
                await WriteEntriesWithRetryAsync(chunk, stoppingToken);
            }

            _journal.MarkSwept(segment);
            _journal.DeleteStored();
        }
    }

    private async Task DrainQueueAsync(CancellationToken cancellationToken)
    {
        var batch = _batch;
        while (_queue.Reader.TryRead(out var row))
        {
            batch.Add(row);
            if (batch.Count >= MaxRowsPerWrite)
            {
                await WriteOnceAsync(batch, cancellationToken);
                batch.Clear();
            }
        }

        if (batch.Count > 0)
        {
            await WriteOnceAsync(batch, cancellationToken);
            batch.Clear();
        }
    }

    private async Task WriteWithRetryAsync(List<(ValidationLogEntry Entry, ValidationJournal.Segment Segment)> batch, CancellationToken stoppingToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await WriteOnceAsync(batch, stoppingToken);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                await BackOffAsync(e, attempt, batch.Count, stoppingToken);
            }
        }
    }

    private async Task WriteOnceAsync(List<(ValidationLogEntry Entry, ValidationJournal.Segment Segment)> batch, CancellationToken cancellationToken)
    {
        await WriteEntriesAsync(batch.ConvertAll(r => r.Entry), cancellationToken);
        foreach (var group in batch.GroupBy(r => r.Segment))
        {
            _journal.Confirm(group.Key, group.Count());
        }

        _journal.DeleteStored();
    }

    private async Task WriteEntriesWithRetryAsync(List<ValidationLogEntry> entries, CancellationToken stoppingToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await WriteEntriesAsync(entries, stoppingToken);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                await BackOffAsync(e, attempt, entries.Count, stoppingToken);
            }
        }
    }

    private async Task WriteEntriesAsync(List<ValidationLogEntry> entries, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var written = await _store.WriteAsync(entries, cancellationToken);
        ValidationLogMetrics.FlushDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        ValidationLogMetrics.RowsWritten.Add(written);
    }

    private async Task BackOffAsync(Exception e, int attempt, int rows, CancellationToken stoppingToken)
    {
        ValidationLogMetrics.FlushFailures.Add(1);
        var delay = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(attempt, 7))));
        if (_store.IsTransient(e))
        {
            LogFlushFailed(_logger, rows, delay, e.Message);
        }
        else
        {
            LogFlushError(_logger, e, rows, delay);
        }

        await Task.Delay(delay, _clock, stoppingToken);
    }

    private async Task SyncLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.JournalSyncInterval, _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    _journal.Sync();

                    // A segment closed by age while no row arrives is deleted here once stored, not at the next write.
                    _journal.DeleteStored();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // One failed fsync must not end group syncing: log it and try again at the next tick.
                    LogSyncFailed(_logger, e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Validation log: storing {Rows} rows failed ({Reason}); retrying in {Delay}. The rows are safe in the journal.")]
    private static partial void LogFlushFailed(ILogger logger, int rows, TimeSpan delay, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Validation log: storing {Rows} rows failed; retrying in {Delay}. The rows are safe in the journal.")]
    private static partial void LogFlushError(ILogger logger, Exception exception, int rows, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Validation log: shutting down with {Rows} queued rows not stored; they stay in the journal for the next start.")]
    private static partial void LogShutdownLeftInJournal(ILogger logger, Exception exception, int rows);

    [LoggerMessage(Level = LogLevel.Error, Message = "Validation log: a row could not be appended to the journal and is dropped.")]
    private static partial void LogAppendFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Validation log: the journal's group sync failed.")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);
}
