using System;
using System.IO;
using NUnit.Framework;

namespace RayGen.Tests;

/// <summary>The modes every behaviour test runs in; one suite, not a copy per mode.</summary>
public static class Modes
{
    public static readonly object[] All = { RayMode.InProcess, RayMode.Processes };
}

/// <summary>Starts a runtime with two CPUs before each test and shuts it down after; gives each test a scratch folder.</summary>
public abstract class RuntimeFixture
{
    protected RuntimeFixture(RayMode mode) => Mode = mode;

    protected RayMode Mode { get; }

    protected RayRuntime Runtime { get; private set; } = null!;

    protected string Scratch { get; private set; } = null!;

    protected virtual double NumCpus => 2;

    /// <summary>The options each test's runtime starts with; a fixture may add to them (a logger factory...).</summary>
    protected virtual RayOptions Options() => new() { Mode = Mode, NumCpus = NumCpus };

    [SetUp]
    public void StartRuntime()
    {
        Scratch = Path.Combine(Path.GetTempPath(), "raygen-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Scratch);
        Runtime = Ray.Init(Options());
    }

    [TearDown]
    public void StopRuntime()
    {
        Runtime.Dispose();
        try { Directory.Delete(Scratch, recursive: true); } catch (IOException) { }
    }

    protected string ScratchFile(string name) => Path.Combine(Scratch, name);

    /// <summary>Hang detection for behaviour that must not wait: generous, never a speed claim.</summary>
    protected static readonly TimeSpan NoHang = TimeSpan.FromSeconds(20);

    /// <summary>Waits for a file a task writes (the event a test synchronises on); fails the test if it never appears.</summary>
    protected static void WaitForFile(string path) =>
        Assert.That(Remotes.Signals.WaitForFile(path, NoHang), Is.True, $"{Path.GetFileName(path)} never appeared");
}
