using System;
using System.Linq;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using NUnit.Framework;

namespace RayGen.Dashboard.Tests;

/// <summary>Where the dashboard listens, and who it answers: loopback by default; another address only with the token.</summary>
[NonParallelizable]
public class BindingTests
{
    private const string Token = "a-token-for-the-test";

    [TearDown]
    public void StopAnyRuntime() => Ray.Shutdown();

    private static IPAddress? NonLoopbackAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    private static int Port(string url) => new Uri(url).Port;

    [Test]
    public void By_default_the_dashboard_is_not_reachable_on_the_machines_other_addresses()
    {
        var other = NonLoopbackAddress();
        if (other is null) Assert.Ignore("this machine has no non-loopback IPv4 address to try");
        using var ray = Ray.Init(new RayOptions { Mode = RayMode.InProcess, DashboardPort = 0, MetricsPort = 0 });
        foreach (var url in new[] { ray.DashboardUrl!, ray.MetricsUrl! })
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var refused = Assert.Throws<SocketException>(() => socket.Connect(other, Port(url)));
            Assert.That(refused!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionRefused));
            using var loopback = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            Assert.DoesNotThrow(() => loopback.Connect(IPAddress.Loopback, Port(url)));
        }
    }

    [Test]
    public void A_non_loopback_host_without_a_token_is_refused_at_Init_and_nothing_is_left_running()
    {
        var refused = Assert.Throws<RayException>(() => Ray.Init(new RayOptions { Mode = RayMode.InProcess, DashboardPort = 0, DashboardHost = "0.0.0.0" }));
        Assert.That(refused!.Message, Does.Contain("RayOptions.Token").And.Contain("0.0.0.0"));
        Assert.That(Ray.IsInitialized, Is.False);
    }

    [Test]
    public void A_non_loopback_host_with_a_token_answers_only_requests_that_present_it()
    {
        using var ray = Ray.Init(new RayOptions { Mode = RayMode.InProcess, DashboardPort = 0, MetricsPort = 0, DashboardHost = "0.0.0.0", Token = Token });
        var nodes = $"http://127.0.0.1:{Port(ray.DashboardUrl!)}/api/nodes";
        var metrics = $"http://127.0.0.1:{Port(ray.MetricsUrl!)}/metrics";
        foreach (var url in new[] { nodes, metrics })
        {
            using var without = Http.Send(url);
            Assert.That(without.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), url);
            using var wrong = Http.Send(url, r => r.Headers.Authorization = new("Bearer", "not-the-token"));
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), url);
            using var with = Http.Send(url, r => r.Headers.Authorization = new("Bearer", Token));
            Assert.That(with.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
        }

        using var browser = Http.Send(nodes + "?token=" + Token);
        Assert.That(browser.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(browser.Headers.GetValues("Set-Cookie").Single(), Does.StartWith("raygen_token=").And.Contain("httponly"));
    }

    [Test]
    public void On_loopback_a_request_naming_another_host_is_refused_against_DNS_rebinding()
    {
        using var ray = Ray.Init(new RayOptions { Mode = RayMode.InProcess, DashboardPort = 0 });
        using var foreign = Http.Send(ray.DashboardUrl + "api/nodes", r => r.Headers.Host = "attacker.example");
        Assert.That(foreign.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var local = Http.Send(ray.DashboardUrl + "api/nodes", r => r.Headers.Host = $"localhost:{Port(ray.DashboardUrl!)}");
        Assert.That(local.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void Without_a_port_nothing_is_served()
    {
        using var ray = Ray.Init(new RayOptions { Mode = RayMode.InProcess });
        Assert.That(ray.DashboardUrl, Is.Null);
        Assert.That(ray.MetricsUrl, Is.Null);
    }

    [Test]
    public void A_port_already_taken_fails_Init_with_a_RayException_naming_it_and_nothing_is_left_running()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var refused = Assert.Throws<RayException>(() => Ray.Init(new RayOptions { Mode = RayMode.InProcess, DashboardPort = port }));
        Assert.That(refused!.Message, Does.Contain("RayOptions.DashboardPort").And.Contain(port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(Ray.IsInitialized, Is.False);
    }

    [Test]
    public void The_dashboard_stops_with_the_runtime()
    {
        string url;
        using (var ray = Ray.Init(new RayOptions { Mode = RayMode.InProcess, DashboardPort = 0 })) url = ray.DashboardUrl!;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.That(Assert.Throws<SocketException>(() => socket.Connect(IPAddress.Loopback, Port(url)))!.SocketErrorCode, Is.EqualTo(SocketError.ConnectionRefused));
    }
}
