using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace RayGen.Dashboard;

/// <summary>
/// Kestrel serving what the runtime answers: the runtime calls <see cref="Start"/> through reflection with delegates of
/// BCL types only, so neither assembly compiles against the other.
/// </summary>
public static class WebServer
{
    private const string TokenCookie = "raygen_token";

    /// <summary>Starts listening; returns once the port is bound.</summary>
    /// <param name="address">The IP address to bind.</param>
    /// <param name="port">The port; 0 takes a free one.</param>
    /// <param name="token">When set, every request must present it (header, cookie or <c>?token=</c>).</param>
    /// <param name="servePage">Serve the dashboard page, its script and the live event stream, besides <paramref name="handle"/>.</param>
    /// <param name="handle">Answers a GET of a path with its query: status, content type, body.</param>
    /// <param name="events">What each Server-Sent Event of <c>/api/events</c> carries (JSON); null: no stream.</param>
    /// <param name="eventPeriodMilliseconds">How often the stream sends an event.</param>
    /// <returns>The server (dispose to stop it) and the URL it listens at.</returns>
    public static (IDisposable Server, string Url) Start(string address, int port, string? token, bool servePage,
        Func<string, IReadOnlyDictionary<string, string>, (int Status, string ContentType, byte[] Body)> handle,
        Func<string>? events, int eventPeriodMilliseconds)
    {
        var ip = IPAddress.Parse(address);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "RayGen.Dashboard",
            ContentRootPath = AppContext.BaseDirectory,
            Args = Array.Empty<string>(),
        });
        // The runtime has its own logging; Kestrel's lines about a client that went away are not the program's business.
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.UseKestrel(o => o.Listen(ip, port));
        var app = builder.Build();
        var stopping = app.Lifetime.ApplicationStopping;
        var site = new Site(IPAddress.IsLoopback(ip), token, servePage, handle, events, TimeSpan.FromMilliseconds(Math.Max(50, eventPeriodMilliseconds)), stopping);
        app.Run(site.Serve);
        app.StartAsync().GetAwaiter().GetResult();
        var bound = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (new Stopper(app), bound.TrimEnd('/') + "/");
    }

    private sealed class Stopper(WebApplication app) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            app.StopAsync().GetAwaiter().GetResult();
            app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private sealed class Site(bool loopback, string? token, bool servePage,
        Func<string, IReadOnlyDictionary<string, string>, (int Status, string ContentType, byte[] Body)> handle,
        Func<string>? events, TimeSpan eventPeriod, CancellationToken stopping)
    {
        private readonly byte[]? _token = token is null ? null : Encoding.UTF8.GetBytes(token);

        public async Task Serve(HttpContext context)
        {
            var request = context.Request;
            var response = context.Response;
            response.Headers["X-Content-Type-Options"] = "nosniff";
            response.Headers.CacheControl = "no-store";
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
            {
                await Text(response, 405, "only GET is served\n");
                return;
            }

            // Bound to loopback, a page on another site could still reach us through a name that resolves to 127.0.0.1
            // (DNS rebinding): such a request names that site as its host, so only loopback names are answered.
            if (loopback && !IsLoopbackHost(request.Host.Host))
            {
                await Text(response, 403, "the dashboard answers requests to a loopback host name only\n");
                return;
            }

            if (_token is not null && !Authorized(context))
            {
                await Text(response, 401, "this RayGen endpoint needs the cluster token: an 'Authorization: Bearer TOKEN' header, or ?token=TOKEN once in a browser\n");
                return;
            }

            var path = request.Path.Value ?? "/";
            if (servePage && Resource(path) is { } resource)
            {
                response.ContentType = resource.ContentType;
                await response.Body.WriteAsync(resource.Body, context.RequestAborted);
                return;
            }

            if (servePage && events is not null && path == "/api/events")
            {
                await Stream(context);
                return;
            }

            var query = request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var (status, contentType, body) = handle(path, query);
            response.StatusCode = status;
            response.ContentType = contentType;
            await response.Body.WriteAsync(body, context.RequestAborted);
        }

        private async Task Stream(HttpContext context)
        {
            var response = context.Response;
            response.ContentType = "text/event-stream";
            using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            using var timer = new PeriodicTimer(eventPeriod);
            try
            {
                do
                {
                    var payload = Encoding.UTF8.GetBytes("data: " + events!() + "\n\n");
                    await response.Body.WriteAsync(payload, done.Token);
                    await response.Body.FlushAsync(done.Token);
                }
                while (await timer.WaitForNextTickAsync(done.Token));
            }
            catch (OperationCanceledException)
            {
                // The page closed, or the runtime is stopping: the stream just ends.
            }
        }

        private bool Authorized(HttpContext context)
        {
            var request = context.Request;
            var header = request.Headers.Authorization.ToString();
            if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && Matches(header["Bearer ".Length..].Trim())) return true;
            if (request.Cookies.TryGetValue(TokenCookie, out var cookie) && Matches(cookie)) return true;
            if (request.Query.TryGetValue("token", out var query) && Matches(query.ToString()))
            {
                // A browser opened with ?token= once: its script's requests and the event stream carry the cookie from then on.
                context.Response.Cookies.Append(TokenCookie, query.ToString(), new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
                return true;
            }

            return false;
        }

        private bool Matches(string? candidate) =>
            candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);

        private static bool IsLoopbackHost(string host) =>
            host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

        private static Task Text(HttpResponse response, int status, string text)
        {
            response.StatusCode = status;
            response.ContentType = "text/plain; charset=utf-8";
            return response.WriteAsync(text);
        }
    }

    private static readonly Dictionary<string, (string ContentType, byte[] Body)> s_resources = LoadResources();

    private static (string ContentType, byte[] Body)? Resource(string path) =>
        s_resources.TryGetValue(path == "/" ? "/index.html" : path, out var found) ? found : null;

    private static Dictionary<string, (string, byte[])> LoadResources()
    {
        var assembly = typeof(WebServer).Assembly;
        var resources = new Dictionary<string, (string, byte[])>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("wwwroot/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            resources["/" + name["wwwroot/".Length..]] = (type, copy.ToArray());
        }

        return resources;
    }
}
