using System;
using System.Net.Http;
using System.Text.Json;
using NUnit.Framework;

namespace RayGen.Dashboard.Tests;

/// <summary>GETs against a runtime's dashboard, and waits for what arrives asynchronously (a worker's output line).</summary>
internal static class Http
{
    private static readonly HttpClient s_client = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static HttpResponseMessage Send(string url, Action<HttpRequestMessage>? change = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        change?.Invoke(request);
        return s_client.Send(request);
    }

    public static string Text(string url)
    {
        using var response = Send(url);
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.That(response.IsSuccessStatusCode, Is.True, $"{url}: {(int)response.StatusCode} {body}");
        return body;
    }

    public static JsonElement Json(string url) => JsonDocument.Parse(Text(url)).RootElement.Clone();

    /// <summary>Asks again until <paramref name="done"/> holds: for what the driver learns after a task's result (a line it printed).</summary>
    public static JsonElement Until(string url, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + Files.NoHang;
        while (true)
        {
            var json = Json(url);
            if (done(json)) return json;
            if (DateTime.UtcNow > deadline) Assert.Fail($"{url} never showed what the test waits for; last: {json}");
            System.Threading.Thread.Sleep(20);
        }
    }
}
