using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using RayGen.Data.Blocks;

namespace RayGen.Data.Execution;

/// <summary>
/// A stage as a worker runs it: its steps bound once (functions resolved, types closed, a class transform
/// constructed) and kept for every later block of the same stage.
/// </summary>
internal sealed class CompiledStage
{
    private static readonly ConcurrentDictionary<string, CompiledStage> s_stages = new(StringComparer.Ordinal);

    private readonly StageSpec _spec;
    private readonly Step[] _steps;
    private readonly IBlockCodec? _inCodec;
    private readonly IBlockCodec _outCodec;
    private readonly IO.ISourceReader? _source;

    public CompiledStage(StageSpec spec)
    {
        _spec = spec;
        _steps = Array.ConvertAll(spec.Steps, Step.Create);
        if (spec.Source is { } source) _source = IO.SourceReaders.Create(source);
        else _inCodec = BlockCodec.For(TypeNames.Resolve(spec.InType));
        var outType = spec.Steps.Length > 0 ? spec.Steps[^1].OutType : spec.Source?.RowType ?? spec.InType;
        _outCodec = BlockCodec.For(TypeNames.Resolve(outType));
    }

    /// <summary>The stage for <paramref name="spec"/>, built on first use in this process.</summary>
    public static CompiledStage For(StageSpec spec)
    {
        // A worker lives across runs; each run's stages have new ids. Forgetting them all now and then bounds the cache
        // (a stage still running is simply built again).
        if (s_stages.Count > MaxCached) s_stages.Clear();
        return s_stages.GetOrAdd(spec.Id, static (_, s) => new CompiledStage(s), spec);
    }

    private const int MaxCached = 256;

    /// <summary>Runs the stage over one block (or one source partition) and puts its output blocks in the store.</summary>
    public BlockResult Run(byte[]? input, int index)
    {
        var result = new BlockResult { Steps = new StepFigures[_steps.Length] };
        Array rows;
        var rowsPerBlock = 0;
        if (_source is not null)
        {
            var started = Stopwatch.GetTimestamp();
            rows = _source.Read(index);
            result.SourceRows = rows.Length;
            result.SourceTicks = Stopwatch.GetTimestamp() - started;
            result.SourceBytes = IO.SourceBytes.Of(_spec.Source!, index);
            rowsPerBlock = _spec.Source!.RowsPerBlock;
        }
        else
        {
            rows = _inCodec!.Decode(input ?? []);
        }

        for (var i = 0; i < _steps.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var rowsIn = rows.Length;
            rows = _steps[i].Apply(rows, index);
            result.Steps[i] = new StepFigures { RowsIn = rowsIn, RowsOut = rows.Length, Ticks = Stopwatch.GetTimestamp() - started };
        }

        if (_steps.Length > 0 && _spec.Steps[^1].Kind == StepKind.Write) return result;
        result.Blocks = Put(rows, rowsPerBlock);
        return result;
    }

    private BlockMeta[] Put(Array rows, int rowsPerBlock)
    {
        if (rowsPerBlock <= 0 || rows.Length <= rowsPerBlock) return [PutOne(rows)];
        var blocks = new List<BlockMeta>();
        for (var start = 0; start < rows.Length; start += rowsPerBlock)
        {
            var length = Math.Min(rowsPerBlock, rows.Length - start);
            var part = Array.CreateInstance(rows.GetType().GetElementType()!, length);
            Array.Copy(rows, start, part, 0, length);
            blocks.Add(PutOne(part));
        }

        return blocks.ToArray();
    }

    private BlockMeta PutOne(Array rows)
    {
        var bytes = _outCodec.Encode(rows);
        return new BlockMeta { Data = Ray.Put(bytes), Rows = rows.Length, Bytes = bytes.Length };
    }
}
