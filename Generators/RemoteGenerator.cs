using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RayGen.Generators.Emitting;
using RayGen.Generators.Model;
using RayGen.Generators.Parsing;

namespace RayGen.Generators;

/// <summary>
/// Writes RayGen's typed stubs: <c>Type.Remote.Method(...)</c> for [Remote] static methods,
/// <c>Type.Remote.New(...)</c> and handle extension methods for [Remote] classes, plus the invokers
/// and registrations the runtime calls without reflection.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class RemoteGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var methods = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.RemoteAttributeName,
                static (node, _) => node is MethodDeclarationSyntax,
                Parser.ParseStaticMethod)
            .Where(static m => m is not null)
            .WithTrackingName(TrackingNames.RemoteMethods);

        var actors = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                Parser.RemoteAttributeName,
                // Any type: records are actors too, and RemoteShape rejects structs and interfaces.
                static (node, _) => node is TypeDeclarationSyntax,
                Parser.ParseActor)
            .Where(static a => a is not null)
            .WithTrackingName(TrackingNames.Actors);

        var types = methods.Collect()
            .Combine(actors.Collect())
            .SelectMany(static (pair, _) => Group(pair.Left!, pair.Right!))
            .WithTrackingName(TrackingNames.RemoteTypes);

        context.RegisterSourceOutput(types, static (spc, model) => spc.AddSource(Emitter.HintName(model), Emitter.Emit(model)));
    }

    /// <summary>One model per type: its static remote methods and, if it is an actor, the actor.</summary>
    private static ImmutableArray<RemoteTypeModel> Group(ImmutableArray<RemoteMethodEntry?> methods, ImmutableArray<ActorEntry?> actors)
    {
        var byType = new SortedDictionary<string, (TypeIdentity Type, List<RemoteMethodEntry> Methods, ActorEntry? Actor)>(System.StringComparer.Ordinal);
        foreach (var m in methods)
        {
            if (m is null) continue;
            if (!byType.TryGetValue(m.Type.MetadataName, out var slot)) slot = (m.Type, new List<RemoteMethodEntry>(), null);
            slot.Methods.Add(m);
            byType[m.Type.MetadataName] = slot;
        }

        foreach (var a in actors)
        {
            if (a is null) continue;
            if (!byType.TryGetValue(a.Type.MetadataName, out var slot)) slot = (a.Type, new List<RemoteMethodEntry>(), null);
            byType[a.Type.MetadataName] = (slot.Type, slot.Methods, a);
        }

        var result = ImmutableArray.CreateBuilder<RemoteTypeModel>(byType.Count);
        foreach (var (type, entries, actor) in byType.Values)
        {
            // Overloads and a static method sharing a name with an actor method need distinct field names.
            var used = new HashSet<string>(System.StringComparer.Ordinal);
            EquatableArray<MethodModel> Unique(IEnumerable<MethodModel> models) =>
                models.Select(m => m with { FieldName = UniqueName(m.FieldName, used) }).ToEquatableArray();

            var actorModel = actor is null
                ? null
                : actor with { Constructors = Unique(actor.Constructors), Methods = Unique(actor.Methods) };
            var statics = Unique(entries.OrderBy(e => e.Method.FunctionId, System.StringComparer.Ordinal).Select(e => e.Method));
            var formatters = entries.SelectMany(e => e.FormatterTypes)
                .Concat(actor?.FormatterTypes ?? EquatableArray<string>.Empty)
                .Distinct()
                .OrderBy(t => t, System.StringComparer.Ordinal)
                .ToEquatableArray();
            result.Add(new RemoteTypeModel(type, statics, actorModel, formatters));
        }

        return result.ToImmutable();
    }

    private static string UniqueName(string name, HashSet<string> used)
    {
        if (used.Add(name)) return name;
        for (var i = 2; ; i++)
        {
            if (used.Add(name + "_" + i)) return name + "_" + i;
        }
    }
}
