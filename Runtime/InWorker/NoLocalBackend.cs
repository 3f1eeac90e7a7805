using System;
using RayGen.Core;
using RayGen.Driver;
using RayGen.Protocol;
using RayGen.Store;

namespace RayGen.InWorker;

/// <summary>A worker's runtime executes nothing itself: every submission goes to the driver, so these are never reached.</summary>
internal sealed class NoLocalBackend : IExecutionBackend
{
    private static InvalidOperationException Unreachable() =>
        new("A worker's runtime forwards all work to the driver; nothing executes through its own backend.");

    public void Execute(TaskSpec task) => throw Unreachable();

    public void ForceStop(TaskSpec task) => throw Unreachable();

    public void StartActor(ActorState actor, TaskSpec constructor, ReadOnlyMemory<byte>[] arguments) => throw Unreachable();

    public void ExecuteActorCall(ActorState actor, TaskSpec call) => throw Unreachable();

    public void StopActor(ActorState actor)
    {
    }

    public void Dispose()
    {
    }
}
