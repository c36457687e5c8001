using System.Diagnostics.Metrics;
using Capacity.Application.Performance;

namespace Capacity.Infrastructure.Persistence;

/// <summary>This instance's data source, named so its pool can be told apart from others in the process (tests host several).</summary>
internal sealed record DatabasePoolName(string Value)
{
    public static DatabasePoolName New() => new("capacity-" + Guid.NewGuid().ToString("N")[..12]);
}

/// <summary>
/// <see cref="IDatabasePoolStatistics"/> from Npgsql's own pool instruments (meter <c>Npgsql</c>:
/// <c>db.client.connection.count</c> by <c>db.client.connection.state</c>, and <c>db.client.connection.max</c>), read on
/// demand through a <see cref="MeterListener"/> and filtered to this instance's pool by its name.
/// </summary>
internal sealed class NpgsqlPoolStatistics : IDatabasePoolStatistics, IDisposable
{
    private const string CountInstrument = "db.client.connection.count";
    private const string MaxInstrument = "db.client.connection.max";
    private const string PoolTag = "db.client.connection.pool.name";
    private const string StateTag = "db.client.connection.state";

    private readonly string _pool;
    private readonly MeterListener _listener = new();
    private readonly Lock _reading = new();
    private int? _busy;
    private int? _max;

    public NpgsqlPoolStatistics(DatabasePoolName pool)
    {
        _pool = pool.Value;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Npgsql" && instrument.Name is CountInstrument or MaxInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        _listener.Start();
    }

    public PoolFigures? Read()
    {
        lock (_reading)
        {
            _busy = null;
            _max = null;
            _listener.RecordObservableInstruments();
            return _max is { } max ? new PoolFigures(_busy ?? 0, max) : null;
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(string instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? pool = null;
        string? state = null;
        foreach (var tag in tags)
        {
            if (tag.Key == PoolTag)
            {
                pool = tag.Value as string;
            }
            else if (tag.Key == StateTag)
            {
                state = tag.Value as string;
            }
        }

        if (pool != _pool)
        {
            return;
        }

        if (instrument == MaxInstrument)
        {
            _max = (int)value;
        }
        else if (state == "used")
        {
            _busy = (int)value;
        }
    }
}
