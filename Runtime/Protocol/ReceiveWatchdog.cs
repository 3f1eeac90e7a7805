using System;
using System.Collections.Generic;
using System.Threading;

namespace RayGen.Protocol;

/// <summary>
/// What must happen even if no thread comes back in time: a handler running inline (see
/// <see cref="FrameConnection.AllowTakeover"/>) still running a tick or two later has its receive loop handed to
/// another thread, so frames behind it (a cancel, a reply) are read while it runs; frames held back for a flush
/// that no wait made (fire-and-forget calls) are written within a tick.
/// </summary>
/// <remarks>
/// <para>One thread for the process, whichever runtime owns the connections: it serves connections only, holds
/// nothing but the list of those that asked for a tick (each leaves it when it closes), and one thread ticking for
/// all costs fewer wake-ups than one per runtime. A dedicated thread, not a Timer: timer callbacks wake
/// thread-pool workers, several context switches per tick.</para>
/// <para>It ticks while a handler is marked or work keeps coming, and parks after the first tick that finds
/// neither: while calls come faster than a tick, ticking costs one wake-up a tick whatever the call rate, and
/// parking would cost two a call (the wake that re-arms it, then the tick); an isolated call costs those two and
/// the process is quiet again a tick after it, not a hundred ticks after as when it parked after a quiet spell
/// (measured with the benchmarks' <c>wakeups</c>: docs/benchmarks.md).</para>
/// </remarks>
internal static class ReceiveWatchdog
{
    private const int TickMilliseconds = 1;
    private static readonly object s_lock = new();
    private static readonly List<FrameConnection> s_watched = new();
    private static readonly Parker s_parker = new();
    private static Thread? s_thread;
    private static int s_armed;
    // The watched connections' event counts summed at the last tick (or at arming, so the event that armed the
    // watchdog does not count as more to come).
    private static int s_activitySeen;

    /// <summary>Makes sure a tick will come; called after the connection marked its handler or held a frame back (with a full fence).</summary>
    public static void Watch(FrameConnection connection)
    {
        // A plain increment on the connection's own line: a lost one is harmless, any change tells the tick work came.
        connection.Activity++;
        if (Volatile.Read(ref s_armed) != 0 && connection.Watched) return;
        lock (s_lock)
        {
            if (connection.IsClosed) return;
            if (!connection.Watched)
            {
                connection.Watched = true;
                s_watched.Add(connection);
            }

            if (s_armed != 0) return;
            s_armed = 1;
            s_activitySeen = Activity();
            if (s_thread is null)
            {
                // Fifteen characters, all Linux keeps of a thread name: tools (and the benchmarks' wakeups) tell it apart by it.
                s_thread = new Thread(Run) { IsBackground = true, Name = "RayGen watchdog" };
                s_thread.Start();
            }
            else
            {
                s_parker.Unpark();
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
            if (Tick()) continue;
            // Disarmed: Watch re-arms before it unparks; a stale permit or a spurious wake just parks again.
            while (Volatile.Read(ref s_armed) == 0) s_parker.Park(Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Returns false when it disarmed: the thread parks until <see cref="Watch"/> wakes it.</summary>
    private static bool Tick()
    {
        lock (s_lock)
        {
            var busy = CheckAll();
            var activity = Activity();
            var came = activity != s_activitySeen;
            s_activitySeen = activity;
            if (busy || came) return true;
            // Disarm, then look once more: a handler marked just before it saw s_armed still set, and would not re-arm.
            Interlocked.Exchange(ref s_armed, 0);
            if (!CheckAll()) return false;
            s_armed = 1;
            return true;
        }
    }

    /// <summary>Ticks every watched connection; true when one still has a handler marked.</summary>
    private static bool CheckAll()
    {
        var busy = false;
        // By index, from the end: a flush that fails closes its connection, which leaves this list meanwhile.
        for (var i = s_watched.Count - 1; i >= 0; i--)
        {
            if (i < s_watched.Count) busy |= Check(s_watched[i]);
        }

        return busy;
    }

    private static int Activity()
    {
        var sum = 0;
        foreach (var connection in s_watched) sum = unchecked(sum + connection.Activity);
        return sum;
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
