using System.Linq;
using Microsoft.CodeAnalysis;
using RayGen.Generators.Model;

namespace RayGen.Generators.Data;

/// <summary>
/// Makes RayGen.Data's functions reach workers without reflection: each static lambda or method group given to a
/// dataset operator is copied into a registry the application's assembly carries, and the call is intercepted to say
/// which registry entry its delegate is. Functions it cannot copy (they name private code, say) still run: the
/// runtime binds them by method identity, and RAY020 says why.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class DataFunctionGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var enabled = context.ParseOptionsProvider.Select(static (options, _) => Shared.PortableFunction.InterceptorsEnabled(options));

        var calls = context.SyntaxProvider
            .CreateSyntaxProvider(DataCallParser.IsCandidate, DataCallParser.Parse)
            .Where(static c => c is not null)
            .WithTrackingName(TrackingNames.DataCalls);

        var file = calls.Collect()
            .Combine(enabled)
            .Select(static (pair, _) => pair.Right
                ? pair.Left.OrderBy(c => c!.FilePath, System.StringComparer.Ordinal).ThenBy(c => c!.Line).ThenBy(c => c!.Column).Select(c => c!).ToEquatableArray()
                : EquatableArray<DataCallModel>.Empty)
            .WithTrackingName(TrackingNames.DataFunctions);

        context.RegisterSourceOutput(file, static (spc, calls) =>
        {
            if (calls.Count > 0) spc.AddSource(DataFunctionEmitter.HintName, DataFunctionEmitter.Emit(calls));
        });
    }
}
