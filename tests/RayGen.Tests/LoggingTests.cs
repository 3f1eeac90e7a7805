using System;
using System.Linq;
using Microsoft.Extensions.Logging;
using NUnit.Framework;
using RayGen.Tests.Remotes;

namespace RayGen.Tests;

[TestFixtureSource(typeof(Modes), nameof(Modes.All))]
public class LoggingTests : RuntimeFixture
{
    private InMemoryLoggerFactory _logs = null!;

    public LoggingTests(RayMode mode) : base(mode) { }

    protected override RayOptions Options()
    {
        _logs = new InMemoryLoggerFactory();
        return new RayOptions { Mode = Mode, NumCpus = NumCpus, LoggerFactory = _logs };
    }

    [TearDown]
    public void DisposeLogs() => _logs.Dispose();

    private int ExpectedPid(int? pid) => Mode == RayMode.InProcess ? Environment.ProcessId : pid ?? 0;

    [Test]
    public void A_line_a_task_logs_reaches_the_driver_logger_with_the_task_in_its_scope()
    {
        Assert.That(ObservedTasks.Remote.LogGreeting("ada").Get(), Is.EqualTo(3));

        // The line travels ahead of the result on the worker's connection, so it is written before Get returns.
        var line = _logs.Lines.Single(l => l.Category == ObservedTasks.Category);
        var task = Ray.State.Tasks().Single(t => t.Name == "ObservedTasks.LogGreeting");
        Assert.Multiple(() =>
        {
            Assert.That(line.Level, Is.EqualTo(LogLevel.Information));
            Assert.That(line.Message, Is.EqualTo("hello ada from a task"));
            Assert.That(line.ScopeValue("TaskId"), Is.EqualTo(task.TaskId));
            Assert.That(line.ScopeValue("FunctionName"), Is.EqualTo("ObservedTasks.LogGreeting"));
            Assert.That(line.ScopeValue("WorkerPid"), Is.EqualTo(task.WorkerPid));
            Assert.That(task.WorkerPid, Is.EqualTo(ExpectedPid(task.WorkerPid)));
        });
        if (Mode == RayMode.Processes) Assert.That(task.WorkerPid, Is.Not.EqualTo(Environment.ProcessId), "logged in a worker process");
    }

    [Test]
    public void An_exception_a_task_logs_arrives_with_its_type_and_message()
    {
        ObservedTasks.Remote.LogFailure("disk on fire").Get();

        var line = _logs.Lines.Single(l => l.Category == ObservedTasks.Category);
        Assert.That(line.Level, Is.EqualTo(LogLevel.Error));
        Assert.That(line.Message, Is.EqualTo("the task caught disk on fire"));
        var type = line.Exception is RayTaskException remote ? remote.ErrorType : line.Exception?.GetType().FullName;
        Assert.That(type, Is.EqualTo(typeof(InvalidOperationException).FullName));
        Assert.That(line.Exception!.Message, Does.Contain("disk on fire"));
    }

    [Test]
    public void A_runtime_warning_goes_through_the_logger_factory()
    {
        var never = TestTasks.Remote.With(new RemoteOptions { NumCpus = 64 }).Add(1, 2);

        var warning = _logs.Lines.Single(l => l.Category == "RayGen");
        Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warning.Message, Does.Contain("TestTasks.Add").And.Contain("more than this runtime has"));
        Ray.Cancel(never);
    }

    [Test]
    public void A_logger_made_outside_any_runtime_writes_nothing_and_does_not_throw()
    {
        Runtime.Dispose();
        var logger = Ray.GetLogger<LoggingTests>();
        Assert.That(logger.IsEnabled(LogLevel.Critical), Is.False);
        Assert.DoesNotThrow(() => logger.LogCritical("nobody hears this"));
    }
}
