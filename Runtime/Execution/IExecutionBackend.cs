using System;
using RayGen.Scheduling;

namespace RayGen.Execution;

/// <summary>
/// Where tasks and actors execute: the thread pool (in-process mode) or worker processes. The runtime core
/// owns scheduling, dependencies, retries and the object directory; a backend only runs what it is handed
/// and reports back through <see cref="RuntimeCore.CompleteTask"/>.
/// </summary>
internal interface IExecutionBackend : IDisposable
{
    /// <summary>Starts a task whose dependencies are ready and whose resources are held. Must not block.</summary>
    void Execute(TaskSpec task);

    /// <summary>Forcibly stops a running task (Cancel with force): in process mode the worker is killed.</summary>
    void ForceStop(TaskSpec task);
}
