using System;
using System.Threading;
using System.Threading.Tasks;

namespace RayGen.Store;

/// <summary>
/// What the store needs from the runtime its entries belong to, and nothing more: how a reader waits (a task
/// lends its resources meanwhile, a worker tells its driver) and how the producer of a value is cancelled.
/// The store knows no scheduler; the runtime's roles implement this.
/// </summary>
internal interface IObjectHost
{
    /// <summary>The directory that mints this runtime's entries and finds them by id.</summary>
    ObjectDirectory Objects { get; }

    /// <summary>Whether a value is usually microseconds away (in process), so a blocked reader spins briefly before it sleeps.</summary>
    bool ResultsAreLocal { get; }

    /// <summary>Blocks until <paramref name="entry"/> completes or the timeout passes; throws its error.</summary>
    void WaitReady(ObjectEntry entry, TimeSpan timeout);

    /// <summary>Blocks until <paramref name="entry"/> completes, then reads its value.</summary>
    T Read<T>(ObjectEntry entry, TimeSpan timeout);

    /// <summary>Completes with the entry's value once it is ready.</summary>
    Task<T> ReadAsync<T>(ObjectEntry entry, CancellationToken cancellationToken);

    /// <summary>Completes when the entry does; faults with its error.</summary>
    Task WhenReady(ObjectEntry entry, CancellationToken cancellationToken);

    /// <summary>Cancels whatever produces <paramref name="entry"/> (Ray.Cancel).</summary>
    void Cancel(ObjectEntry entry, bool force);
}

/// <summary>Whatever produces an entry's value (a task); the store only keeps it so that Cancel can find it.</summary>
internal interface IObjectProducer
{
}
