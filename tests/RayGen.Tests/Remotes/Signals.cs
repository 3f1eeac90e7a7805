using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace RayGen.Tests.Remotes;

/// <summary>
/// The events tests and remote code synchronise on, instead of sleeping: files, because they are seen alike by the
/// test and by a worker process.
/// </summary>
public static class Signals
{
    /// <summary>Waits until <paramref name="path"/> exists; false if it has not appeared within <paramref name="limit"/> (a hang, not a speed claim).</summary>
    public static bool WaitForFile(string path, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!File.Exists(path))
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(5);
        }

        return true;
    }

    /// <summary>
    /// An awaitable over <paramref name="task"/> that writes <paramref name="path"/> at the moment the awaiting method
    /// suspends, after its continuation is registered: whoever sees the file knows the method is parked in the await.
    /// </summary>
    public static SuspensionMarker MarkWhenSuspended(Task task, string path) => new(task, path);

    public readonly struct SuspensionMarker : ICriticalNotifyCompletion
    {
        private readonly Task _task;
        private readonly string _path;

        public SuspensionMarker(Task task, string path) => (_task, _path) = (task, path);

        public SuspensionMarker GetAwaiter() => this;

        // Never complete at the first look, so the method always suspends and the mark is always written.
        public bool IsCompleted => false;

        public void GetResult() => _task.GetAwaiter().GetResult();

        public void OnCompleted(Action continuation)
        {
            _task.GetAwaiter().OnCompleted(continuation);
            File.WriteAllText(_path, "suspended");
        }

        public void UnsafeOnCompleted(Action continuation)
        {
            _task.GetAwaiter().UnsafeOnCompleted(continuation);
            File.WriteAllText(_path, "suspended");
        }
    }
}
