using System;
using System.IO;
using NUnit.Framework;

// Process mode relies on Unix sockets, /proc and /dev/shm; these tests target Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace RayGen.Data.Tests;

/// <summary>
/// One runtime per fixture (starting worker processes per test would cost most of the suite's minute): worker
/// processes on two CPUs with a small store (32 MiB), or in process.
/// </summary>
public abstract class DataFixture(RayMode mode)
{
    public const long StoreBytes = 32L << 20;

    protected string Scratch { get; private set; } = null!;

    [OneTimeSetUp]
    public void StartRuntime()
    {
        Ray.Init(new RayOptions { Mode = mode, NumCpus = 2, ObjectStoreMemory = StoreBytes });
        DataContext.Current.ShowProgress = false;
    }

    [OneTimeTearDown]
    public void StopRuntime() => Ray.Shutdown();

    private (long ReadTarget, long? PerOperator, long? Run) _settings;

    [SetUp]
    public void MakeScratch()
    {
        var context = DataContext.Current;
        _settings = (context.TargetBytesPerReadTask, context.MaxStoreBytesPerOperator, context.MaxStoreBytes);
        Scratch = Path.Combine(Path.GetTempPath(), "raygen-data-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Scratch);
    }

    [TearDown]
    public void RemoveScratch()
    {
        // Settings are process-wide: a test that changes them must not change the next one's.
        var context = DataContext.Current;
        (context.TargetBytesPerReadTask, context.MaxStoreBytesPerOperator, context.MaxStoreBytes) = _settings;
        try { Directory.Delete(Scratch, recursive: true); } catch (IOException) { }
    }

    protected string ScratchPath(string name) => Path.Combine(Scratch, name);
}
