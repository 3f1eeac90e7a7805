using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Threading;

namespace RayGen.Data.Stats;

/// <summary>
/// Reads the object store's figures from the runtime's own gauges (meter <c>RayGen</c>): bytes in shared memory,
/// bytes spilled and the capacity, the same numbers the dashboard and /metrics show. No hook into the runtime needed.
/// </summary>
internal sealed class StoreMonitor : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _used = -1;
    private long _spilled;
    private long _capacity = -1;

    public StoreMonitor()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "RayGen" && instrument.Name is "ray_object_store_memory" or "ray_object_store_capacity")
                listener.EnableMeasurementEvents(instrument, this);
        };
        _listener.SetMeasurementEventCallback<long>(static (instrument, value, tags, state) => ((StoreMonitor)state!).Record(instrument.Name, value, tags));
        _listener.Start();
        Sample();
    }

    /// <summary>Bytes in shared memory now (at the last sample), or null without a shared-memory store.</summary>
    public long? Used => Interlocked.Read(ref _used) is >= 0 and var v ? v : null;

    public long PeakUsed { get; private set; }

    public long PeakSpilled { get; private set; }

    /// <summary>The store's capacity, or null without a shared-memory store.</summary>
    public long? Capacity => Interlocked.Read(ref _capacity) is >= 0 and var v ? v : null;

    /// <summary>Reads the gauges now and keeps the peaks.</summary>
    public void Sample()
    {
        _listener.RecordObservableInstruments();
        if (Used is { } used) PeakUsed = Math.Max(PeakUsed, used);
        PeakSpilled = Math.Max(PeakSpilled, Interlocked.Read(ref _spilled));
    }

    private void Record(string instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (instrument == "ray_object_store_capacity")
        {
            Interlocked.Exchange(ref _capacity, value);
            return;
        }

        foreach (var tag in tags)
        {
            if (tag.Key != "Location") continue;
            if (tag.Value as string == "MMAP_SHM") Interlocked.Exchange(ref _used, value);
            else if (tag.Value as string == "SPILLED") Interlocked.Exchange(ref _spilled, value);
        }
    }

    public void Dispose() => _listener.Dispose();
}
