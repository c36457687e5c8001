using System.Text.Json;
using Capacity.Domain.Coupons;
using Microsoft.Extensions.Logging;

namespace Capacity.Infrastructure.Coupons.ValidationLogs;

/// <summary>
/// The local journal of validation log rows: append-only segment files of JSON lines in this instance's directory.
/// A row is appended here before it is queued; <see cref="Sync"/> (every <see cref="ValidationLogOptions.JournalSyncInterval"/>)
/// flushes and fsyncs the active segment. A segment is closed at a size or an age and deleted once the database has all
/// its rows: counted through the queue, or read back whole by a sweep (rows that overflowed the queue, segments left by
/// an earlier process). A torn last line (a crash mid-write) is skipped on reading.
/// </summary>
internal sealed partial class ValidationJournal : IDisposable
{
    private const string Prefix = "journal-";
    private const string Extension = ".jsonl";


    private readonly ValidationLogOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private readonly List<Segment> _closed = [];
    private readonly FileStream _lockFile;
    private Segment _active;
    private long _nextNumber;
    private bool _dirty;
    private long _bytes;

    public ValidationJournal(ValidationLogOptions options, string directory, TimeProvider clock, ILogger logger)
    {
        _options = options;
        _clock = clock;
        _logger = logger;
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);

        // One process per directory: a second one would delete segments the first still needs.
        _lockFile = new FileStream(Path.Combine(directory, ".lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

        foreach (var path in System.IO.Directory.GetFiles(directory, Prefix + "*" + Extension).Order(StringComparer.Ordinal))
        {
            var number = long.Parse(Path.GetFileNameWithoutExtension(path)[Prefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
            var length = new FileInfo(path).Length;
            _closed.Add(new Segment(path, number, null, clock.GetUtcNow()) { Bytes = length, NeedsSweep = true, Closed = true });
            _bytes += length;
            _nextNumber = Math.Max(_nextNumber, number);
        }

        _active = OpenSegment();
    }

    public string Directory { get; }

    /// <summary>Bytes on disk in every segment not yet deleted.</summary>
    public long Bytes
    {
        get
        {
            lock (_sync)
            {
                return _bytes;
            }
        }
    }

    /// <summary>
    /// When the oldest segment holding a row not yet stored was opened (or found at start); null when every row is stored.
    /// An upper bound of the oldest unstored row's age, to the segment's age.
    /// </summary>
    public DateTimeOffset? OldestSegmentStartedAt
    {
        get
        {
            lock (_sync)
            {
                var pending = _closed.FirstOrDefault(s => !s.Swept && (s.NeedsSweep || s.Confirmed < s.Appended));
                return pending?.StartedAt
                    ?? (_active.NeedsSweep || _active.Confirmed < _active.Appended ? _active.StartedAt : null);
            }
        }
    }

    /// <summary>Appends the row; false (nothing written) when the journal is at its disk cap.</summary>
    public bool TryAppend(ValidationLogEntry entry, out Segment segment)
    {
        var line = JsonSerializer.SerializeToUtf8Bytes(entry, JournalJson.Default.ValidationLogEntry);
        lock (_sync)
        {
            segment = _active;
            if (_bytes + line.Length + 1 > _options.JournalMaxBytes)
            {
                return false;
            }

            _active.Stream!.Write(line);
            _active.Stream.WriteByte((byte)'\n');
            _active.Bytes += line.Length + 1;
            _active.Appended++;
            _bytes += line.Length + 1;
            _dirty = true;
            if (_active.Bytes >= _options.SegmentBytes)
            {
                RotateLocked();
            }

            return true;
        }
    }

    /// <summary>
    /// Flushes and fsyncs what was appended since the last call; closes the active segment once it is old enough. Only
    /// the hand-over to the OS happens under the lock; the disk wait (fsync, through a second handle of the segment)
    /// does not hold up the requests that append meanwhile.
    /// </summary>
    public void Sync()
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle? toSync = null;
        lock (_sync)
        {
            if (_dirty)
            {
                _active.Stream!.Flush(flushToDisk: false);
                toSync = _active.SyncHandle;
                _dirty = false;
            }

            if (_active.Appended > 0 && _clock.GetUtcNow() - _active.StartedAt >= _options.SegmentMaxAge)
            {
                RotateLocked();
                toSync = null;
            }
        }

        if (toSync is not null)
        {
            try
            {
                RandomAccess.FlushToDisk(toSync);
            }
            catch (ObjectDisposedException)
            {
                // Closed meanwhile by a rotation (which fsyncs the segment as it closes it) or by shutdown.
            }
        }
    }

    /// <summary>Closed segments that must be read back whole (rows that overflowed the queue, or found at start); the active one is closed first when it needs it.</summary>
    public List<Segment> SegmentsToSweep()
    {
        lock (_sync)
        {
            if (_active.NeedsSweep)
            {
                RotateLocked();
            }

            return _closed.Where(s => s.NeedsSweep && !s.Swept).ToList();
        }
    }

    /// <summary>Every row of a closed segment; a torn or unreadable line is skipped and logged.</summary>
    public IEnumerable<ValidationLogEntry> Read(Segment segment)
    {
        using var reader = new StreamReader(segment.Path);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            ValidationLogEntry? entry = null;
            try
            {
                entry = JsonSerializer.Deserialize(line, JournalJson.Default.ValidationLogEntry);
            }
            catch (JsonException)
            {
                LogTornLine(_logger, Path.GetFileName(segment.Path), lineNumber);
            }

            if (entry is not null)
            {
                yield return entry;
            }
        }
    }

    /// <summary>The database has <paramref name="rows"/> more rows of the segment, written through the queue.</summary>
    public void Confirm(Segment segment, int rows)
    {
        lock (_sync)
        {
            segment.Confirmed += rows;
        }
    }

    /// <summary>A row of the segment did not fit in the queue: the segment must be read back whole.</summary>
    public void MarkOverflow(Segment segment)
    {
        lock (_sync)
        {
            segment.NeedsSweep = true;
        }
    }

    /// <summary>The database has every row of the (closed) segment.</summary>
    public void MarkSwept(Segment segment)
    {
        lock (_sync)
        {
            segment.Swept = true;
        }
    }

    /// <summary>Deletes the closed segments whose rows are all in the database.</summary>
    public int DeleteStored()
    {
        List<Segment> stored;
        lock (_sync)
        {
            stored = _closed.Where(s => s.Swept || (!s.NeedsSweep && s.Confirmed >= s.Appended)).ToList();
            foreach (var segment in stored)
            {
                _closed.Remove(segment);
                _bytes -= segment.Bytes;
            }
        }

        foreach (var segment in stored)
        {
            File.Delete(segment.Path);
        }

        return stored.Count;
    }

    public void Dispose()
    {
        lock (_sync)
        {
            _active.Stream!.Flush(flushToDisk: true);
            _active.Stream.Dispose();
            _active.SyncHandle?.Dispose();
            if (!_active.NeedsSweep && _active.Confirmed >= _active.Appended)
            {
                // Empty, or every row stored: nothing for the next start to replay.
                File.Delete(_active.Path);
            }

            _lockFile.Dispose();
        }
    }

    private void RotateLocked()
    {
        _active.Stream!.Flush(flushToDisk: true);
        _active.Stream.Dispose();
        _active.Stream = null;
        _active.SyncHandle?.Dispose();
        _active.SyncHandle = null;
        _active.Closed = true;
        _dirty = false;
        if (_active.Appended == 0)
        {
            File.Delete(_active.Path);
        }
        else
        {
            _closed.Add(_active);
        }

        _active = OpenSegment();
    }

    private Segment OpenSegment()
    {
        var number = ++_nextNumber;
        var path = Path.Combine(Directory, $"{Prefix}{number:D12}{Extension}");
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 64 * 1024);

        // fsync applies to the file, whichever descriptor asks: Sync uses this one outside the lock, so the stream
        // that appends is never touched by two threads.
        var syncHandle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new Segment(path, number, stream, _clock.GetUtcNow()) { SyncHandle = syncHandle };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Validation journal {File}: line {Line} is torn or unreadable and is skipped.")]
    private static partial void LogTornLine(ILogger logger, string file, int line);

    /// <summary>One journal file. Counters change under the journal's lock.</summary>
    internal sealed class Segment(string path, long number, FileStream? stream, DateTimeOffset startedAt)
    {
        public string Path { get; } = path;

        public long Number { get; } = number;

        public FileStream? Stream { get; set; } = stream;

        /// <summary>A read handle of the active segment's file, for fsync outside the lock.</summary>
        public Microsoft.Win32.SafeHandles.SafeFileHandle? SyncHandle { get; set; }

        public DateTimeOffset StartedAt { get; } = startedAt;

        public long Bytes { get; set; }

        public int Appended { get; set; }

        public int Confirmed { get; set; }

        /// <summary>Some of its rows are not in the queue: it must be read back whole.</summary>
        public bool NeedsSweep { get; set; }

        public bool Swept { get; set; }

        public bool Closed { get; set; }
    }
}
