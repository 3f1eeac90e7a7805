using RayGen.Generators.Model;

namespace RayGen.Generators.Data;

/// <summary>
/// One call of a RayGen.Data operator whose functions the generator can copy: where to intercept it, the
/// intercepted method's shape (types as global names), and the functions to register. Plain strings and numbers
/// only, so the pipeline caches.
/// </summary>
internal sealed record DataCallModel(
    string FilePath,
    int Line,
    int Column,
    int LocationVersion,
    string LocationData,
    string MethodName,
    string ReceiverType,
    string ReturnType,
    string TypeArguments,
    EquatableArray<DataParameterModel> Parameters,
    EquatableArray<DataFunctionModel> Functions);

/// <summary>A parameter of the intercepted method; <see cref="Shipped"/> when its argument is a registered function.</summary>
internal sealed record DataParameterModel(string Name, string Type, bool Shipped);

/// <summary>A function to register: its argument's parameter, delegate type and the code that makes it again.</summary>
internal sealed record DataFunctionModel(string Parameter, string DelegateType, string Code);
