using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace RayGen.Observability;

/// <summary>One complete event ("ph": "X") of a Chrome trace: a span of <paramref name="DurationMicros"/> on (pid, tid).</summary>
internal readonly record struct TraceEvent(string Name, string Category, long StartMicros, long DurationMicros, int Pid, int Tid,
    IReadOnlyList<KeyValuePair<string, string>> Args);

/// <summary>Writes the Chrome trace event format (a JSON array), which chrome://tracing and Perfetto open, as Ray's timeline does.</summary>
internal static class ChromeTrace
{
    public static void Write(string path, IEnumerable<TraceEvent> events, IReadOnlyDictionary<int, string> processNames)
    {
        using var stream = File.Create(path);
        Write(stream, events, processNames);
    }

    public static void Write(Stream stream, IEnumerable<TraceEvent> events, IReadOnlyDictionary<int, string> processNames)
    {
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false });
        json.WriteStartArray();
        foreach (var (pid, name) in processNames)
        {
            // Metadata events: each pid's row is labelled in the viewer.
            json.WriteStartObject();
            json.WriteString("name", "process_name");
            json.WriteString("ph", "M");
            json.WriteNumber("pid", pid);
            json.WriteStartObject("args");
            json.WriteString("name", name);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        foreach (var e in events)
        {
            json.WriteStartObject();
            json.WriteString("name", e.Name);
            json.WriteString("cat", e.Category);
            json.WriteString("ph", "X");
            json.WriteNumber("ts", e.StartMicros);
            json.WriteNumber("dur", e.DurationMicros);
            json.WriteNumber("pid", e.Pid);
            json.WriteNumber("tid", e.Tid);
            json.WriteStartObject("args");
            foreach (var (key, value) in e.Args) json.WriteString(key, value);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
