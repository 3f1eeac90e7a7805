using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;

namespace RayGen.Observability;

/// <summary>
/// The <c>"RayGen"</c> meter in Prometheus's text exposition format (version 0.0.4), for <c>RayOptions.MetricsPort</c>:
/// a <see cref="MeterListener"/> of our own, so the package needs no exporter dependency. Observable instruments are
/// read when scraped; histograms and counters are aggregated as they record (cumulative, as Prometheus expects).
/// </summary>
internal sealed class PrometheusText : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Bucket bounds for the latency histograms, in seconds: a submit or an inline Get takes microseconds, a Get of a long task seconds.</summary>
    private static readonly double[] s_bounds = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, ConcurrentDictionary<string, Aggregate>> _recorded = new();
    private readonly List<Instrument> _instruments = new();
    private readonly object _scrape = new();
    private Dictionary<Instrument, List<(string Labels, double Value)>>? _observed;

    public PrometheusText()
    {
        _ = RayTelemetry.Meter; // its instruments exist before the listener starts, so Start publishes them all
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name != RayTelemetry.Name) return;
            lock (_instruments) _instruments.Add(instrument);
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        if (instrument.IsObservable)
        {
            // Only a scrape collects observable instruments, on the scraping thread, under _scrape.
            var observed = _observed;
            if (observed is null) return;
            if (!observed.TryGetValue(instrument, out var list)) observed[instrument] = list = new();
            list.Add((labels, value));
            return;
        }

        var series = _recorded.GetOrAdd(instrument, static _ => new ConcurrentDictionary<string, Aggregate>(StringComparer.Ordinal));
        var aggregate = series.GetOrAdd(labels, static (_, histogram) => new Aggregate(histogram), IsHistogram(instrument));
        aggregate.Add(value);
    }

    private static bool IsHistogram(Instrument instrument) => instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal);

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty) return "";
        var sorted = tags.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        var text = new StringBuilder();
        foreach (var (key, value) in sorted)
        {
            if (text.Length > 0) text.Append(',');
            text.Append(Name(key)).Append("=\"").Append(EscapeLabel(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")).Append('"');
        }

        return text.ToString();
    }

    /// <summary>The exposition of every instrument now.</summary>
    public string Scrape()
    {
        lock (_scrape)
        {
            _observed = new();
            try
            {
                _listener.RecordObservableInstruments();
                return Write(_observed);
            }
            finally
            {
                _observed = null;
            }
        }
    }

    private string Write(Dictionary<Instrument, List<(string Labels, double Value)>> observed)
    {
        Instrument[] instruments;
        lock (_instruments) instruments = _instruments.OrderBy(i => i.Name, StringComparer.Ordinal).ToArray();
        var text = new StringBuilder();
        foreach (var instrument in instruments)
        {
            var name = Name(instrument.Name);
            var histogram = IsHistogram(instrument);
            var counter = instrument.GetType().Name.Contains("Counter", StringComparison.Ordinal) && !instrument.GetType().Name.Contains("UpDown", StringComparison.Ordinal);
            var type = histogram ? "histogram" : counter ? "counter" : "gauge";
            if (!string.IsNullOrEmpty(instrument.Description)) text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(instrument.Description)).Append('\n');
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            if (instrument.IsObservable)
            {
                if (!observed.TryGetValue(instrument, out var values)) continue;
                // A callback may report one label set twice (it should not): the last value wins, as one sample per series is the rule.
                foreach (var (labels, value) in values.GroupBy(v => v.Labels).Select(g => g.Last()).OrderBy(v => v.Labels, StringComparer.Ordinal))
                    Sample(text, name, labels, value);
                continue;
            }

            if (!_recorded.TryGetValue(instrument, out var series)) continue;
            foreach (var (labels, aggregate) in series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                if (!histogram)
                {
                    Sample(text, name, labels, aggregate.Sum);
                    continue;
                }

                var (counts, count, sum) = aggregate.Read();
                long cumulative = 0;
                for (var b = 0; b < s_bounds.Length; b++)
                {
                    cumulative += counts[b];
                    Sample(text, name + "_bucket", Join(labels, $"le=\"{Number(s_bounds[b])}\""), cumulative);
                }

                Sample(text, name + "_bucket", Join(labels, "le=\"+Inf\""), count);
                Sample(text, name + "_sum", labels, sum);
                Sample(text, name + "_count", labels, count);
            }
        }

        return text.ToString();
    }

    private static string Join(string labels, string more) => labels.Length == 0 ? more : labels + "," + more;

    private static void Sample(StringBuilder text, string name, string labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0) text.Append('{').Append(labels).Append('}');
        text.Append(' ').Append(Number(value)).Append('\n');
    }

    private static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Prometheus names are [a-zA-Z_:][a-zA-Z0-9_:]*: anything else becomes '_'.</summary>
    private static string Name(string name)
    {
        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            var ok = char.IsAsciiLetter(c) || c == '_' || c == ':' || (i > 0 && char.IsAsciiDigit(c));
            if (!ok) chars[i] = '_';
        }

        return new string(chars);
    }

    private static string EscapeLabel(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static string EscapeHelp(string value) => value.Replace("\\", "\\\\").Replace("\n", "\\n");

    public void Dispose() => _listener.Dispose();

    /// <summary>One series: a sum (counters), or buckets, a count and a sum (histograms); written by many threads without a lock.</summary>
    private sealed class Aggregate(bool histogram)
    {
        private readonly long[]? _buckets = histogram ? new long[s_bounds.Length] : null;
        private long _count;
        private double _sum;

        public double Sum => Volatile.Read(ref _sum);

        public void Add(double value)
        {
            if (_buckets is not null)
            {
                var b = Array.BinarySearch(s_bounds, value);
                if (b < 0) b = ~b; // the first bound above the value; a value equal to a bound belongs to it (le)
                if (b < _buckets.Length) Interlocked.Increment(ref _buckets[b]);
                Interlocked.Increment(ref _count);
            }

            double seen, next;
            do
            {
                seen = Volatile.Read(ref _sum);
                next = seen + value;
            }
            while (Interlocked.CompareExchange(ref _sum, next, seen) != seen);
        }

        /// <summary>Per-bucket counts (not cumulative), the count and the sum; a measurement recorded meanwhile may be half in.</summary>
        public (long[] Counts, long Count, double Sum) Read()
        {
            var counts = new long[_buckets!.Length];
            for (var i = 0; i < counts.Length; i++) counts[i] = Interlocked.Read(ref _buckets[i]);
            // The count read last is at least the buckets' total... unless a value above every bound came in: keep +Inf >= the last bucket.
            var count = Math.Max(Interlocked.Read(ref _count), counts.Sum());
            return (counts, count, Sum);
        }
    }
}
