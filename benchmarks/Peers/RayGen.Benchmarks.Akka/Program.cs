using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using Akka.Actor;
using Akka.Configuration;
using RayGen.Benchmarks.Shared;

// server <port>                                        runs until stdin closes (the harness holds it open)
// client <port> <json> <warmup> <rounds> <roundSeconds>
if (args.Length >= 2 && args[0] == "server")
{
    using var system = ActorSystem.Create("server", Remote(int.Parse(args[1], CultureInfo.InvariantCulture)));
    system.ActorOf(Props.Create(() => new PerfActor()), "perf");
    Console.WriteLine("ready");
    await Console.In.ReadToEndAsync();
    await system.Terminate();
    return 0;
}

if (args.Length >= 6 && args[0] == "client")
{
    var settings = new TimeitSettings(double.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture),
        double.Parse(args[5], CultureInfo.InvariantCulture));
    using var system = ActorSystem.Create("client", Remote(0));
    var actor = await system.ActorSelection($"akka.tcp://server@127.0.0.1:{args[1]}/user/perf").ResolveOne(TimeSpan.FromSeconds(30));
    var request = new byte[] { 1 };
    await actor.Ask<byte[]>(request);
    var results = new List<BenchResult>
    {
        // The same loop bodies as 1_1_actor_calls_sync and _async: one Ask and wait, or 1,000 Asks then wait for all.
        Timeit.Run("akka_remote_ask_sync", "peer", () => actor.Ask<byte[]>(request).GetAwaiter().GetResult(), 1, settings),
        Timeit.Run("akka_remote_ask_1000_concurrent", "peer", () =>
        {
            var calls = new Task<byte[]>[1000];
            for (var i = 0; i < calls.Length; i++) calls[i] = actor.Ask<byte[]>(request);
            Task.WaitAll(calls);
        }, 1000, settings),
    };
    File.WriteAllText(args[2], Timeit.ToJson(results, new Dictionary<string, object?> { ["peer"] = "Akka.NET 1.5.74 (Akka.Remote, DotNetty TCP)" }));
    await system.Terminate();
    return 0;
}

Console.Error.WriteLine("usage: server <port> | client <port> <json> <warmup s> <rounds> <round s>");
return 64;

static Config Remote(int port) => ConfigurationFactory.ParseString($$"""
    akka {
      loglevel = WARNING
      actor.provider = remote
      remote.dot-netty.tcp { hostname = 127.0.0.1, port = {{port}} }
    }
    """);

internal sealed class PerfActor : ReceiveActor
{
    private static readonly byte[] Ok = "ok"u8.ToArray();

    public PerfActor() => Receive<byte[]>(_ => Sender.Tell(Ok));
}
