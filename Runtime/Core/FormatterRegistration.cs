using System.Runtime.CompilerServices;
using MemoryPack;
using RayGen.Store;

namespace RayGen.Core;

internal static class FormatterRegistration
{
    // Registered explicitly at load: MemoryPack's own static-constructor registration does not run under NativeAOT.
#pragma warning disable CA2255 // a library registering its own formatters before any of its types is used is the intended case
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        MemoryPackFormatterProvider.Register(new ObjectRefFormatter());
        MemoryPackFormatterProvider.RegisterGenericType(typeof(ObjectRef<>), typeof(ObjectRefFormatter<>));
        MemoryPackFormatterProvider.RegisterGenericType(typeof(ActorHandle<>), typeof(ActorHandleFormatter<>));
        MemoryPackFormatterProvider.Register(new PlacementGroupFormatter());
        MemoryPackFormatterProvider.RegisterGenericType(typeof(ObjectRefStream<>), typeof(ObjectRefStreamFormatter<>));
    }
}
