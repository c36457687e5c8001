using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Capacity.Application.Common.Metrics;

namespace Capacity.UnitTests.Common.Behaviors;

/// <summary>
/// Captures measurements of one Capacity instrument whose <c>request</c> tag is <paramref name="requestName"/>.
/// Test classes run in parallel and share the static meter, so each class filters on request types of its own.
/// </summary>
internal sealed class MeasurementRecorder<T> : IDisposable
    where T : struct
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<RecordedMeasurement<T>> _measurements = new();

    public MeasurementRecorder(string instrumentName, string requestName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == CapacityMetrics.MeterName && instrument.Name == instrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<T>((_, value, tags, _) =>
        {
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                map[tag.Key] = tag.Value;
            }

            if (Equals(map.GetValueOrDefault("request"), requestName))
            {
                _measurements.Enqueue(new RecordedMeasurement<T>(value, map));
            }
        });
        _listener.Start();
    }

    public IReadOnlyList<RecordedMeasurement<T>> Measurements => [.. _measurements];

    public void Dispose() => _listener.Dispose();
}

internal sealed record RecordedMeasurement<T>(T Value, IReadOnlyDictionary<string, object?> Tags);
