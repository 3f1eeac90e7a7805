using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace RayGen.Protocol;

/// <summary>
/// Parks one thread until another unparks it, with one futex call on each side on Linux. Monitor.Wait/Pulse
/// (and the events built on it) signal while holding a lock, so the woken thread at once blocks on that lock
/// again: five futex calls and an extra context switch per wake-up, which is most of a synchronous call's cost
/// on a machine where a context switch is dear. A permit (as Java's LockSupport) makes an unpark that comes
/// before the park count; callers recheck their own condition, since a permit may be stale.
/// </summary>
internal sealed unsafe partial class Parker
{
    private const int FutexWaitPrivate = 128;
    private const int FutexWakePrivate = 129;
    private static readonly long s_futex = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        _ => -1,
    };

    [ThreadStatic] private static Parker? t_current;

    // The futex word lives outside the GC heap so its address never moves; one per thread, kept for its life.
    private readonly int* _permit = (int*)NativeMemory.AllocZeroed(sizeof(int));
    private readonly object? _fallback = OperatingSystem.IsLinux() && s_futex > 0 ? null : new object();

    /// <summary>The calling thread's parker.</summary>
    public static Parker Current => t_current ??= new Parker();

    ~Parker() => NativeMemory.Free(_permit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial long syscall(long number, int* address, int operation, int value, Timespec* timeout, int* address2, int value3);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary>Blocks until unparked, the timeout passes, or a spurious wake-up; returns at once when a permit is waiting.</summary>
    public void Park(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref *_permit, 0) == 1) return;
        if (_fallback is not null)
        {
            lock (_fallback)
            {
                if (Volatile.Read(ref *_permit) == 0) Monitor.Wait(_fallback, timeout);
                Interlocked.Exchange(ref *_permit, 0);
            }

            return;
        }

        if (timeout == Timeout.InfiniteTimeSpan)
        {
            syscall(s_futex, _permit, FutexWaitPrivate, 0, null, null, 0);
        }
        else
        {
            var ticks = Math.Max(0, timeout.Ticks);
            var span = new Timespec { Seconds = ticks / TimeSpan.TicksPerSecond, Nanoseconds = ticks % TimeSpan.TicksPerSecond * 100 };
            syscall(s_futex, _permit, FutexWaitPrivate, 0, &span, null, 0);
        }

        Interlocked.Exchange(ref *_permit, 0);
    }

    /// <summary>Wakes the parked thread, or lets its next <see cref="Park"/> return at once.</summary>
    public void Unpark()
    {
        if (Interlocked.Exchange(ref *_permit, 1) == 1) return; // a permit is already there: its thread is awake or about to be
        if (_fallback is not null)
        {
            lock (_fallback) Monitor.Pulse(_fallback);
            return;
        }

        syscall(s_futex, _permit, FutexWakePrivate, 1, null, null, 0);
        GC.KeepAlive(this); // the finalizer frees the futex word: not before the wake has used it
    }
}
