using System;
using System.Collections.Generic;
using System.Linq;
using ClusterSample;
using RayGen;

// dotnet run --project samples/Cluster -- [HEAD_HOST:PORT [TOKEN]]
// Without arguments it connects to "auto": the cluster `raygen start --head` started on this machine (its state
// folder holds the address and the token). RAYGEN_ADDRESS / RAYGEN_TOKEN work too: Ray.Init reads them when no
// address is given, so the sample passes none then.
string? address = args.Length > 0 ? args[0] : Environment.GetEnvironmentVariable("RAYGEN_ADDRESS") is null ? "auto" : null;
string? token = args.Length > 1 ? args[1] : null;
using var ray = Ray.Init(new RayOptions { Address = address, Token = token });

IReadOnlyList<NodeInfo> nodes = Ray.Nodes();
Console.WriteLine($"driver pid {Environment.ProcessId}; cluster of {nodes.Count} nodes:");
foreach (NodeInfo node in nodes)
    Console.WriteLine($"  {node.NodeId} {node.Address,-21} {(node.IsHead ? "head" : "node"),-4} {(node.IsAlive ? "alive" : "dead"),-5} " +
                      string.Join(", ", node.Resources.Select(r => $"{r.Key} {r.Value}")));
Console.WriteLine($"resources: {string.Join(", ", Ray.ClusterResources().Select(r => $"{r.Key} {r.Value}"))}");

// QuickStart's idea, on the cluster: the driver's folder is shipped to the nodes, whose workers run these.
Console.WriteLine($"a task ran on {Work.Remote.WhereAmI().Get()}");
// The default strategy packs nodes up to about half their CPUs; Spread puts concurrent tasks on different nodes.
var spread = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.Spread };
string[] places = Ray.Get(Enumerable.Range(0, 4).Select(_ => Work.Remote.With(spread).WhereAmI()).ToList());
Console.WriteLine($"4 tasks with SchedulingStrategy.Spread ran on: {string.Join("; ", places)}");
ObjectRef<int> sum = Work.Remote.Add(2, 3);
ObjectRef<int> chained = Work.Remote.Add(sum, 10);
Console.WriteLine($"Add(2, 3) -> {sum.Get()}; Add(sum, 10), a ref as an argument -> {chained.Get()}");

ActorHandle<Counter> counter = Counter.Remote.New(10);
_ = counter.Increment();
Console.WriteLine($"Counter(10), Increment() twice -> {counter.Increment().Get()}, the actor lives on {counter.Where().Get()}");

// A large value made on one node and used on another: each task pinned to its node (soft: false fails rather than
// running elsewhere). With a single node both run there.
List<NodeInfo> alive = nodes.Where(n => n.IsAlive).ToList();
NodeInfo maker = alive[0];
NodeInfo summer = alive.Count > 1 ? alive[1] : alive[0];
const int count = 8 * 1024 * 1024; // 32 MiB of ints
var onMaker = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(maker.NodeId, soft: false) };
var onSummer = new RemoteOptions { SchedulingStrategy = SchedulingStrategy.NodeAffinity(summer.NodeId, soft: false) };
var made = Work.Remote.With(onMaker).MakeArray(count);
var (total, madeOn, summedOn) = Work.Remote.With(onSummer).Sum(made).Get();
long expected = 0;
for (var i = 0; i < count; i++) expected += i % 1000;
Console.WriteLine($"a {count * sizeof(int) / (1024 * 1024)} MiB int[] made on {madeOn}, summed on {summedOn}: {total} " +
                  (total == expected ? "(correct)" : $"(WRONG: expected {expected})"));
return total == expected ? 0 : 1;
