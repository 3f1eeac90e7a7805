using System;
using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using MemoryPack;
using RayGen.Protocol;
using RayGen.Store;
using RayGen.Core;

namespace RayGen.Benchmarks;

/// <summary>
/// BenchmarkDotNet suites for the hot paths under the Ray metrics: `dotnet run -c Release --project
/// benchmarks/RayGen.Benchmarks -- bdn [--filter *Frame*]`. They run in process (no separate build per suite),
/// so they see the runtime's internals.
/// </summary>
internal static class MicroSuites
{
    public static int Run(string[] args)
    {
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
        BenchmarkSwitcher.FromTypes(new[] { typeof(ArgumentEncoding), typeof(FrameCoding), typeof(StoreAndStub), typeof(LargeValues) })
            .Run(args.Length == 0 ? new[] { "--filter", "*" } : args, config);
        return 0;
    }
}

/// <summary>What a stub does with each argument and result: MemoryPack through the codec that names the call in its errors.</summary>
[MemoryDiagnoser]
public class ArgumentEncoding
{
    private readonly byte[] _int = ValueCodec<int>.Serialize(42, "bench");
    private readonly byte[] _ok = ValueCodec<byte[]>.Serialize(PerfTasks.Ok, "bench");

    [Benchmark] public byte[] EncodeInt() => ValueCodec<int>.Serialize(42, "bench");

    [Benchmark] public byte[] EncodeSmallBytes() => ValueCodec<byte[]>.Serialize(PerfTasks.Ok, "bench");

    [Benchmark] public int DecodeInt() => ValueCodec<int>.Deserialize(_int);

    [Benchmark] public byte[] DecodeSmallBytes() => ValueCodec<byte[]>.Deserialize(_ok);
}

/// <summary>The control frames of one task: the run the driver sends and the result the worker sends back.</summary>
[MemoryDiagnoser]
public class FrameCoding
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private RunFrame _run = null!;
    private RunResultFrame _result = null!;
    private byte[] _runBytes = null!;
    private byte[] _resultBytes = null!;

    [GlobalSetup]
    public void Setup()
    {
        _run = new RunFrame
        {
            RunId = 12345, Kind = RunKind.Task, FunctionId = "RayGen.Benchmarks.PerfTasks.SmallValue()",
            Args = new[] { new Payload { Inline = ValueCodec<int>.Serialize(7, "bench") } },
        };
        _result = new RunResultFrame { RunId = 12345, Value = new Payload { Inline = ValueCodec<byte[]>.Serialize(PerfTasks.Ok, "bench") } };
        _runBytes = MemoryPackSerializer.Serialize<IFrame>(_run);
        _resultBytes = MemoryPackSerializer.Serialize<IFrame>(_result);
    }

    [Benchmark]
    public int EncodeRunFrame()
    {
        _buffer.ResetWrittenCount();
        MemoryPackSerializer.Serialize<IFrame, ArrayBufferWriter<byte>>(_buffer, _run);
        return _buffer.WrittenCount;
    }

    [Benchmark]
    public int EncodeResultFrame()
    {
        _buffer.ResetWrittenCount();
        MemoryPackSerializer.Serialize<IFrame, ArrayBufferWriter<byte>>(_buffer, _result);
        return _buffer.WrittenCount;
    }

    [Benchmark] public object? DecodeRunFrame() => MemoryPackSerializer.Deserialize<IFrame>(_runBytes);

    [Benchmark] public object? DecodeResultFrame() => MemoryPackSerializer.Deserialize<IFrame>(_resultBytes);
}

/// <summary>Put and Get of a small value, and a stub call end to end, on the in-process runtime (no sockets: the runtime's own cost).</summary>
[MemoryDiagnoser]
public class StoreAndStub
{
    private RayRuntime _ray = null!;
    private ObjectRef<int> _stored = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ray = Ray.Init(new RayOptions { NumCpus = 2, Mode = RayMode.InProcess });
        _stored = Ray.Put(0);
    }

    [GlobalCleanup]
    public void Cleanup() => _ray.Dispose();

    [Benchmark] public ObjectRef<int> PutSmall() => Ray.Put(0);

    [Benchmark] public int GetSmall() => Ray.Get(_stored);

    [Benchmark] public ObjectRef<byte[]> StubSubmit() => PerfTasks.Remote.SmallValue();

    [Benchmark] public byte[] StubCallAndGet() => PerfTasks.Remote.SmallValue().Get();
}

/// <summary>Large arrays: the direct copy a put takes, against MemoryPack's own path, and a zero-copy view of the stored bytes.</summary>
[MemoryDiagnoser]
public class LargeValues
{
    private readonly long[] _array = new long[8 * 1024 * 1024 / sizeof(long)];
    private RayRuntime _ray = null!;
    private ObjectRef<long[]> _stored = null!;

    [GlobalSetup]
    public void Setup()
    {
        _ray = Ray.Init(new RayOptions { NumCpus = 2, Mode = RayMode.InProcess });
        _stored = Ray.Put(_array);
    }

    [GlobalCleanup]
    public void Cleanup() => _ray.Dispose();

    [Benchmark(Baseline = true)] public byte[] MemoryPackSerialize8MiB() => MemoryPackSerializer.Serialize(_array);

    [Benchmark] public byte[] CodecSerialize8MiB() => ValueCodec<long[]>.Serialize(_array, "bench");

    [Benchmark]
    public long ZeroCopyView()
    {
        using var view = _stored.GetView();
        return view[view.Length - 1];
    }
}
