using RayGen.Protocol;

namespace RayGen.Store;

/// <summary>
/// Who owns the objects a directory knows: the driver owns every object of its session (as Ray's owner);
/// a worker's directory borrows them from the driver. The directory asks this where the two differ.
/// </summary>
internal interface IObjectOwnership
{
    /// <summary>
    /// Whether a ref serialized now goes into the value being written (see <see cref="Containment"/>) rather
    /// than escaping for good: any open scope in the owner; in a borrower, only a scope whose refs go to the owner with the value.
    /// </summary>
    bool CollectsIntoValue { get; }

    /// <summary>Whether this directory keeps the refs held by values findable by id (the owner does; a borrower's owner does it for it).</summary>
    bool IndexesContained { get; }

    /// <summary>A ref's id was written into bytes that may be read anywhere at any time: the owner keeps the object for the session.</summary>
    void OnEscaped(ObjectId id);

    /// <summary>The entry for an id this directory has never seen: lost in the owner; in a borrower, one that asks the owner for the value.</summary>
    ObjectEntry ImportUnknown(ObjectDirectory directory, ObjectId id);
}
