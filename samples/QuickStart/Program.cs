using System;
using RayGen;
using QuickStart;

// The seed's examples, one line of output each. Ray.Init() runs tasks and actors in worker processes.
using var ray = Ray.Init();
Console.WriteLine($"runtime: {ray.Mode}, {ray.NumCpus} CPUs; driver pid {Environment.ProcessId}, a task ran in pid {MathTasks.Remote.ProcessId().Get()}");

ObjectRef<int> sum = MathTasks.Remote.Add(2, 3);
Console.WriteLine($"MathTasks.Remote.Add(2, 3) -> {sum.Get()}");

ObjectRef<int> chained = MathTasks.Remote.Add(sum, 10);
Console.WriteLine($"MathTasks.Remote.Add(sum, 10), a ref passed as an argument -> {await chained}");

ObjectRef<int[]> data = Ray.Put(new[] { 1, 2, 3 });
Console.WriteLine($"Ray.Get(Ray.Put(new[] {{ 1, 2, 3 }})) -> [{string.Join(", ", Ray.Get(data))}]");

ActorHandle<Counter> counter = Counter.Remote.New(10);
_ = counter.Increment(); // refs are awaitable; discard the ones you do not read
Console.WriteLine($"Counter.Remote.New(10), Increment() twice -> {counter.Increment().Get()}");
Console.WriteLine($"counter.ReadAsync() -> {await counter.ReadAsync()}");
