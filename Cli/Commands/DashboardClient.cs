using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Tasks;

namespace RayGen.Cli.Commands;

/// <summary>The options <c>list</c> and <c>summary</c> share, and the GET of a driver's dashboard API they make.</summary>
internal sealed class DashboardClient
{
    /// <summary>Ray's dashboard port: where <c>RayOptions.DashboardPort = 8265</c> listens.</summary>
    public const string DefaultAddress = "http://127.0.0.1:8265";

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    public string Address { get; private set; } = DefaultAddress;
    public string? Token { get; private set; } = Environment.GetEnvironmentVariable("RAYGEN_TOKEN");
    public string? State { get; private set; }
    public string? Name { get; private set; }
    public int Limit { get; private set; } = 100;
    public List<string> Positional { get; } = new();

    /// <summary>Reads the options; an unknown or incomplete one throws <see cref="UsageException"/>.</summary>
    public static DashboardClient Parse(IReadOnlyList<string> args)
    {
        var client = new DashboardClient();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{arg} needs a value");
            switch (arg)
            {
                case "--address": client.Address = Value(); break;
                case "--token": client.Token = Value(); break;
                case "--state": client.State = Value(); break;
                case "--name": client.Name = Value(); break;
                case "--limit":
                    var text = Value();
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1)
                        throw new UsageException($"--limit must be a positive whole number, not '{text}'");
                    client.Limit = limit;
                    break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"unknown option {arg}");
                    client.Positional.Add(arg);
                    break;
            }
        }

        if (!client.Address.Contains("://", StringComparison.Ordinal)) client.Address = "http://" + client.Address;
        if (!Uri.TryCreate(client.Address, UriKind.Absolute, out _)) throw new UsageException($"--address must be a URL such as {DefaultAddress}, not '{client.Address}'");
        return client;
    }

    /// <summary>GETs <paramref name="path"/> with the filters as its query; a failure throws <see cref="CommandException"/> saying what to do.</summary>
    public JsonElement Get(string path, bool filters)
    {
        var query = new List<string>();
        if (filters)
        {
            if (State is not null) query.Add("state=" + Uri.EscapeDataString(State));
            if (Name is not null) query.Add("name=" + Uri.EscapeDataString(Name));
            query.Add("limit=" + Limit.ToString(CultureInfo.InvariantCulture));
        }

        var url = Address.TrimEnd('/') + path + (query.Count > 0 ? "?" + string.Join("&", query) : "");
        using var http = new HttpClient { Timeout = s_timeout };
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (Token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        HttpResponseMessage response;
        try
        {
            response = http.Send(request);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new CommandException(
                $"no RayGen dashboard answers at {Address} ({e.InnerException?.Message ?? e.Message}). " +
                "Start the driver with RayOptions.DashboardPort set (8265 for the default address), or pass --address http://HOST:PORT.");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            throw new CommandException($"the dashboard at {Address} did not answer: {e.Message}");
        }

        using (response)
        {
            using var body = response.Content.ReadAsStream();
            var text = new StreamReader(body).ReadToEnd();
            if (response.StatusCode == HttpStatusCode.Unauthorized)
                throw new CommandException($"the dashboard at {Address} needs the cluster token: pass --token TOKEN or set RAYGEN_TOKEN.");
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
                throw new CommandException($"{url} answered {(int)response.StatusCode} with something that is not a RayGen dashboard's JSON.");
            }

            var root = document.RootElement.Clone();
            if (!response.IsSuccessStatusCode)
            {
                var message = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) ? error.GetString() : text;
                throw new CommandException($"{url}: {(int)response.StatusCode} {message}");
            }

            return root;
        }
    }
}

/// <summary>The command could not do its work: the message goes to stderr, exit code 1.</summary>
internal sealed class CommandException(string message) : Exception(message);
