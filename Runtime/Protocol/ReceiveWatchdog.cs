using System;
using System.Collections.Generic;
using System.Threading;

namespace RayGen.Protocol;

/// <summary>
/// Rescues receive loops whose leading thread runs a frame's work inline (see
/// <see cref="FrameConnection.AllowTakeover"/>): a handler still running after a tick or two has its loop handed
/// to another thread, so frames behind it (a cancel, a reply) are read while it runs. Its thread ticks only
/// while some loop may need it and parks after a quiet spell, so an idle process is never woken. (A dedicated
/// thread, not a Timer: timer callbacks wake thread-pool workers, several context switches per tick.)
/// </summary>
internal static class ReceiveWatchdog
{
    private const int TickMilliseconds = 1;
    private const int QuietTicksBeforeStopping = 100;
    private static readonly object s_lock = new();
    private static readonly List<FrameConnection> s_watched = new();
    private static readonly SemaphoreSlim s_wake = new(0);
    private static Thread? s_thread;
    private static int s_armed;
    private static int s_quietTicks;

    /// <summary>Makes sure a tick will come; called after the connection marked its handler (with a full fence).</summary>
    public static void Watch(FrameConnection connection)
    {
        if (Volatile.Read(ref s_armed) != 0 && connection.Watched) return;
        lock (s_lock)
        {
            if (connection.IsClosed) return;
            if (!connection.Watched)
            {
                connection.Watched = true;
                s_watched.Add(connection);
            }

            s_quietTicks = 0;
            if (s_armed != 0) return;
            s_armed = 1;
            if (s_thread is null)
            {
                s_thread = new Thread(Run) { IsBackground = true, Name = "RayGen receive watchdog" };
                s_thread.Start();
            }
            else
            {
                s_wake.Release();
            }
        }
    }

    public static void Forget(FrameConnection connection)
    {
        lock (s_lock) s_watched.Remove(connection);
    }

    private static void Run()
    {
        while (true)
        {
            Thread.Sleep(TickMilliseconds);
            if (!Tick()) s_wake.Wait();
        }
    }

    /// <summary>Returns false when it disarmed: the thread parks until <see cref="Watch"/> wakes it.</summary>
    private static bool Tick()
    {
        lock (s_lock)
        {
            var busy = false;
            // By index, from the end: a flush that fails closes its connection, which leaves this list meanwhile.
            for (var i = s_watched.Count - 1; i >= 0; i--)
            {
                if (i < s_watched.Count) busy |= Check(s_watched[i]);
            }

            if (busy)
            {
                s_quietTicks = 0;
                return true;
            }

            if (++s_quietTicks < QuietTicksBeforeStopping) return true;
            // Disarm, then look once more: a handler marked just before it saw s_armed still set, and would not re-arm.
            Interlocked.Exchange(ref s_armed, 0);
            for (var i = s_watched.Count - 1; i >= 0; i--)
            {
                if (i < s_watched.Count && Check(s_watched[i]))
                {
                    s_armed = 1;
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// One connection's tick. A flush that finds the peer gone closes the connection here, which runs its close
    /// callbacks; whatever they throw must not end this thread, or no loop would be rescued and no deferred frame
    /// flushed again.
    /// </summary>
    private static bool Check(FrameConnection connection)
    {
        try
        {
            return connection.OnTick();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"[RayGen] the receive watchdog caught an error from {connection.Name}: {e}");
            return false;
        }
    }
}
