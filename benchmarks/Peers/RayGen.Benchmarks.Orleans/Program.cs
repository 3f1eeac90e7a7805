using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;
using RayGen.Benchmarks.Shared;

// silo <siloPort> <gatewayPort>                     runs until stdin closes (the harness holds it open)
// client <gatewayPort> <json> <warmup> <rounds> <roundSeconds>
if (args.Length >= 3 && args[0] == "silo")
{
    var silo = Host.CreateDefaultBuilder()
        .UseOrleans(s => s.UseLocalhostClustering(siloPort: int.Parse(args[1], CultureInfo.InvariantCulture), gatewayPort: int.Parse(args[2], CultureInfo.InvariantCulture)))
        .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
        .Build();
    await silo.StartAsync();
    Console.WriteLine("ready");
    // The harness ends the silo by closing our stdin; a harness that dies closes it too.
    await Console.In.ReadToEndAsync();
    await silo.StopAsync();
    return 0;
}

if (args.Length >= 6 && args[0] == "client")
{
    var settings = new TimeitSettings(double.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture),
        double.Parse(args[5], CultureInfo.InvariantCulture));
    var client = Host.CreateDefaultBuilder()
        .UseOrleansClient(c => c.UseLocalhostClustering(gatewayPort: int.Parse(args[1], CultureInfo.InvariantCulture)))
        .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
        .Build();
    await client.StartAsync();
    var grain = client.Services.GetRequiredService<IClusterClient>().GetGrain<IPerfGrain>(0);
    await grain.SmallValue();
    var results = new List<BenchResult>
    {
        // The same loop bodies as 1_1_actor_calls_sync and _async: one call and wait, or 1,000 calls then wait for all.
        Timeit.Run("orleans_grain_calls_sync", "peer", () => grain.SmallValue().GetAwaiter().GetResult(), 1, settings),
        Timeit.Run("orleans_grain_calls_1000_concurrent", "peer", () =>
        {
            var calls = new Task<byte[]>[1000];
            for (var i = 0; i < calls.Length; i++) calls[i] = grain.SmallValue();
            Task.WaitAll(calls);
        }, 1000, settings),
    };
    File.WriteAllText(args[2], Timeit.ToJson(results, new Dictionary<string, object?> { ["peer"] = "Microsoft.Orleans 10.4.2" }));
    await client.StopAsync();
    return 0;
}

Console.Error.WriteLine("usage: silo <siloPort> <gatewayPort> | client <gatewayPort> <json> <warmup s> <rounds> <round s>");
return 64;

public interface IPerfGrain : IGrainWithIntegerKey
{
    Task<byte[]> SmallValue();
}

public sealed class PerfGrain : Grain, IPerfGrain
{
    private static readonly byte[] Ok = "ok"u8.ToArray();

    public Task<byte[]> SmallValue() => Task.FromResult(Ok);
}
