using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RayGen.Core;
using RayGen.Observability;

namespace RayGen.Driver;

/// <summary>
/// What <c>RayOptions.DashboardPort</c> and <c>MetricsPort</c> serve: the State API's rows as JSON under <c>/api/</c>,
/// the overview the page's live stream carries, workers' logs, and the <c>"RayGen"</c> meter as Prometheus text. The web
/// server itself (<see cref="WebHost"/>, RayGen.Dashboard.dll) only routes to <see cref="Answer"/>.
/// </summary>
internal sealed class DashboardService : IDisposable
{
    /// <summary>Rows a list answers when the request names no limit (as Ray's State API: 100).</summary>
    public const int DefaultLimit = 100;

    /// <summary>Finished tasks the live stream carries besides the running ones: the page's table, not the history.</summary>
    public const int RecentTasks = 200;

    private static readonly TimeSpan s_eventPeriod = TimeSpan.FromSeconds(1);

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper) },
    };

    private const string JsonType = "application/json; charset=utf-8";

    private readonly DriverRuntime _runtime;
    private readonly WebHost? _dashboard;
    private readonly WebHost? _metricsHost;
    private readonly PrometheusText? _metrics;

    private DashboardService(DriverRuntime runtime, RayOptions options, IPAddress address, string? token)
    {
        _runtime = runtime;
        try
        {
            if (options.MetricsPort is { } metricsPort)
            {
                _metrics = new PrometheusText();
                _metricsHost = WebHost.Start("RayOptions.MetricsPort", address, metricsPort, token, servePage: false, AnswerMetrics, null, s_eventPeriod);
            }

            if (options.DashboardPort is { } port)
                _dashboard = WebHost.Start("RayOptions.DashboardPort", address, port, token, servePage: true, Answer, OverviewJson, s_eventPeriod);
        }
        catch (InvalidOperationException e)
        {
            Dispose();
            throw new RayException(e.Message, e);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string? DashboardUrl => _dashboard?.Url;

    public string? MetricsUrl => _metricsHost?.Url is { } url ? url + "metrics" : null;

    /// <summary>
    /// Checks the options before the runtime starts anything: the ports, the address, and the rule that a non-loopback
    /// address is served only with a token.
    /// </summary>
    /// <returns>The address to bind and the token requests must present (null on loopback), or null when nothing is served.</returns>
    public static (IPAddress Address, string? Token)? Validate(RayOptions options)
    {
        if (options.DashboardPort is null && options.MetricsPort is null) return null;
        foreach (var (name, port) in new[] { ("DashboardPort", options.DashboardPort), ("MetricsPort", options.MetricsPort) })
        {
            if (port is < 0 or > 65535) throw new ArgumentException($"RayOptions.{name} must be a TCP port (0 to 65535; 0 takes a free one), not {port}.");
        }

        IPAddress address;
        try
        {
            address = WebHost.ParseHost(options.DashboardHost ?? "127.0.0.1", "RayOptions.DashboardHost");
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(e.Message, nameof(options), e);
        }

        if (IPAddress.IsLoopback(address)) return (address, null);
        if (string.IsNullOrEmpty(options.Token))
            throw new RayException(
                $"RayOptions.DashboardHost = {options.DashboardHost} is not a loopback address: the dashboard and metrics would be open to the network. " +
                "Set RayOptions.Token (every request must then present it), or leave DashboardHost at 127.0.0.1.");
        return (address, options.Token);
    }

    public static DashboardService? Start(DriverRuntime runtime, (IPAddress Address, string? Token)? bind) =>
        bind is { } b ? new DashboardService(runtime, runtime.Options, b.Address, b.Token) : null;

    private RuntimeState State => _runtime.State;

    private TaskObserver Observer => _runtime.Owner.Observer;

    /// <summary>Answers one GET of the dashboard's API (called on Kestrel's threads, any number at once).</summary>
    internal (int Status, string ContentType, byte[] Body) Answer(string path, IReadOnlyDictionary<string, string> query)
    {
        try
        {
            return path.TrimEnd('/') switch
            {
                "/api/tasks" => Ok(Filter(State.Tasks(), query, t => TaskObserver.RayName(t.State), t => t.Name, newest: true)),
                "/api/actors" => Ok(Filter(State.Actors(), query, a => TaskObserver.RayName(a.State), a => a.ClassName + " " + a.Name, newest: false)),
                "/api/objects" => Ok(Filter(State.Objects(), query, o => o.Location, o => o.ObjectId, newest: false)),
                "/api/nodes" => Ok(State.Nodes()),
                "/api/workers" => Ok(Filter(State.Workers(), query, w => w.IsAlive ? "ALIVE" : "DEAD", w => w.WorkerType, newest: false)),
                "/api/summary/tasks" => Ok(Filter(State.SummarizeTasks(), query, null, s => s.Name, newest: false)),
                "/api/timeline" => Timeline(),
                "/api/logs" => Logs(query),
                "/api/overview" => (200, JsonType, Encoding.UTF8.GetBytes(OverviewJson())),
                _ => Error(404, $"no such endpoint: {path}. The API: /api/tasks, /api/actors, /api/objects, /api/nodes, /api/workers, /api/summary/tasks, /api/timeline, /api/logs, /api/overview, /api/events."),
            };
        }
        catch (BadQuery e)
        {
            return Error(400, e.Message);
        }
    }

    private (int, string, byte[]) AnswerMetrics(string path, IReadOnlyDictionary<string, string> query) =>
        path.TrimEnd('/') == "/metrics"
            ? (200, PrometheusText.ContentType, Encoding.UTF8.GetBytes(_metrics!.Scrape()))
            : (404, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes("metrics are served at /metrics\n"));

    private sealed class BadQuery(string message) : Exception(message);

    /// <summary>
    /// <c>state</c> (a Ray state name, any case), <c>name</c> (a part of the name, any case) and <c>limit</c>: tasks keep
    /// the newest rows (what is running now, and just ran), the other lists the first.
    /// </summary>
    private static IReadOnlyList<T> Filter<T>(IReadOnlyList<T> rows, IReadOnlyDictionary<string, string> query,
        Func<T, string>? state, Func<T, string?> name, bool newest)
    {
        IEnumerable<T> selected = rows;
        if (query.TryGetValue("state", out var wanted) && wanted.Length > 0)
        {
            if (state is null) throw new BadQuery("this list takes no state filter");
            selected = selected.Where(r => string.Equals(state(r), wanted, StringComparison.OrdinalIgnoreCase));
        }

        if (query.TryGetValue("name", out var part) && part.Length > 0)
            selected = selected.Where(r => name(r)?.Contains(part, StringComparison.OrdinalIgnoreCase) == true);

        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var text) && text.Length > 0)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1)
                throw new BadQuery($"limit must be a positive whole number, not '{text}'");
        }

        var list = selected.ToList();
        if (list.Count <= limit) return list;
        return newest ? list.GetRange(list.Count - limit, limit) : list.GetRange(0, limit);
    }

    private (int, string, byte[]) Timeline()
    {
        using var stream = new MemoryStream();
        State.WriteTimeline(stream);
        return (200, JsonType, stream.ToArray());
    }

    private (int, string, byte[]) Logs(IReadOnlyDictionary<string, string> query)
    {
        var logs = Observer.WorkerLogs;
        if (!query.TryGetValue("pid", out var text) || text.Length == 0)
        {
            var workers = logs?.Workers().Select(w => new WorkerLog(w.Pid, w.Label, w.Lines, null)).ToList() ?? new List<WorkerLog>();
            return Ok(workers);
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) throw new BadQuery($"pid must be a process id, not '{text}'");
        var lines = logs?.Lines(pid);
        if (lines is null) return Error(404, $"no output kept for pid {pid}: it wrote nothing, or is not one of the last {WorkerLogs.WorkersKept} workers");
        var label = logs!.Workers().FirstOrDefault(w => w.Pid == pid).Label ?? $"pid={pid}";
        return Ok(new WorkerLog(pid, label, lines.Count, lines));
    }

    private sealed record WorkerLog(int Pid, string Label, long LineCount, IReadOnlyList<string>? Lines);

    private sealed record ObjectStoreFigures(long Used, long Spilled, long Capacity, long Objects);

    private sealed record Overview(
        DateTime Time,
        IReadOnlyList<NodeInfo> Nodes,
        double CpusTotal,
        double CpusUsed,
        double GpusTotal,
        double GpusUsed,
        ObjectStoreFigures? ObjectStore,
        IReadOnlyDictionary<string, long> TasksByState,
        IReadOnlyDictionary<string, long> ActorsByState,
        IReadOnlyList<TaskInfo> Tasks,
        IReadOnlyList<ActorInfo> Actors,
        IReadOnlyList<WorkerInfo> Workers);

    /// <summary>What the page shows, in one piece: each event of the live stream (every second) carries it.</summary>
    internal string OverviewJson()
    {
        var gauges = (IRuntimeGauges)Observer;
        var pool = _runtime.Owner.Scheduler.Pool;
        var store = gauges.ObjectStore() is { } s ? new ObjectStoreFigures(s.Used, s.Spilled, s.Capacity, s.Objects) : null;
        var actors = State.Actors();
        var overview = new Overview(
            DateTime.UtcNow,
            State.Nodes(),
            pool.TotalCpus,
            Math.Max(0, pool.TotalCpus - pool.FreeCpus),
            pool.TotalGpus,
            Math.Max(0, pool.TotalGpus - pool.FreeGpus),
            store,
            gauges.TaskCounts().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            gauges.ActorCounts().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            State.Tasks(RecentTasks),
            actors.Count <= DefaultLimit ? actors : actors.Skip(actors.Count - DefaultLimit).ToList(),
            State.Workers());
        return JsonSerializer.Serialize(overview, Json);
    }

    private static (int, string, byte[]) Ok<T>(T value) => (200, JsonType, JsonSerializer.SerializeToUtf8Bytes(value, Json));

    private static (int, string, byte[]) Error(int status, string message) =>
        (status, JsonType, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["error"] = message }, Json));

    public void Dispose()
    {
        _dashboard?.Dispose();
        _metricsHost?.Dispose();
        _metrics?.Dispose();
    }
}
