using System;
using RayGen.Internal;
using RayGen.ObjectStore;
using RayGen.Scheduling;
using RayGen.Transport;

namespace RayGen.Execution;

/// <summary>
/// Work that code inside a worker starts: the driver owns it. A nested task becomes a driver task whose
/// result keeps the id the worker minted, so the worker's ref and every copy of it name the same object.
/// </summary>
internal sealed partial class ProcessBackend
{
    private void OnSubmit(FrameConnection connection, SubmitFrame frame)
    {
        if (!RemoteRegistry.TryGet(frame.FunctionId, out var function))
        {
            var missing = _runtime.Objects.Adopt(frame.ResultId);
            missing.TrySetError(ErrorInfo.Of(ErrorKind.Runtime, $"A worker submitted function '{frame.FunctionId}', which the driver has not registered."));
            missing.Subscribe(new ValueForwarder(connection));
            return;
        }

        var options = frame.Options.ToOptions();
        var result = _runtime.Objects.Adopt(frame.ResultId);
        TaskSpec task;
        try
        {
            task = new TaskSpec(_runtime, function, options, frame.Args.Length, result) { Request = ResourceRequest.From(options, defaultCpus: 1) };
            foreach (var arg in frame.Args)
            {
                if (arg.Inline is { } inline) task.AddArg(inline);
                else task.AddRef(_runtime.Objects.Import(arg.Ref));
            }

            _runtime.Submit(task);
        }
        catch (Exception e) when (e is RayException or ArgumentException)
        {
            result.TrySetError(ErrorInfo.FromException(e, function.DisplayName));
        }

        result.Subscribe(new ValueForwarder(connection));
    }

    private void OnPut(PutFrame frame) => _runtime.Objects.Adopt(frame.Id).TrySetValue(frame.Value);

    private void OnSubscribe(FrameConnection connection, SubscribeFrame frame) =>
        _runtime.Objects.Import(frame.Id).Subscribe(new ValueForwarder(connection));

    private void OnCancelObject(CancelObjectFrame frame) => _runtime.Cancel(_runtime.Objects.Import(frame.Id), frame.Force);

    /// <summary>Sends an object's value (or error) to a worker once it is ready.</summary>
    private sealed class ValueForwarder(FrameConnection connection) : IEntryWaiter
    {
        public void OnEntryCompleted(ObjectEntry entry) =>
            connection.Send(new ObjectValueFrame { Id = entry.Id, Value = entry.Data, Error = entry.Error });
    }
}
