using RayGen.Protocol;

namespace RayGen.Store;

/// <summary>The owner's side of <see cref="IObjectOwnership"/>: the driver (or an in-process runtime) owns every object it knows.</summary>
internal sealed class OwnedObjects : IObjectOwnership
{
    public static readonly OwnedObjects Instance = new();

    public bool CollectsIntoValue => Containment.IsOpen;

    public bool IndexesContained => true;

    public void OnEscaped(ObjectId id)
    {
    }

    public ObjectEntry ImportUnknown(ObjectDirectory directory, ObjectId id)
    {
        var lost = directory.NewEntry(id);
        lost.TrySetError(ErrorInfo.Of(ErrorKind.ObjectLost,
            $"Object {id} is not known to this runtime: it belongs to a runtime that has shut down, or was freed."));
        return lost;
    }
}
