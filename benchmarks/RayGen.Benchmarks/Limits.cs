using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using RayGen.Benchmarks.Shared;

namespace RayGen.Benchmarks;

/// <summary>
/// The floors and ceilings under RayGen's figures, measured in the same run: what one Unix-socket round trip
/// between two processes costs, how fast this machine copies memory, and what the thread pool does with no
/// serialization or scheduling on top.
/// </summary>
internal static class Limits
{
    private const int PipelineDepth = 1000;

    public static IEnumerable<BenchResult> Run(TimeitSettings settings, Func<string, bool> wanted)
    {
        if (wanted("uds_pingpong_8b_sync") || wanted("uds_pingpong_8b_1000_in_flight"))
        {
            foreach (var r in PingPong(settings)) yield return r;
        }

        if (wanted("memcpy_100MiB")) yield return Memcpy(settings);
        if (wanted("channel_items_per_second")) yield return ChannelItems(settings);
        if (wanted("taskrun_roundtrip_sync"))
            yield return Timeit.Run("taskrun_roundtrip_sync", "limit", () => Task.Run(static () => 1).GetAwaiter().GetResult(), 1, settings);
        if (!wanted("taskrun_1000_then_wait_all")) yield break;
        var tasks = new Task<int>[PipelineDepth];
        yield return Timeit.Run("taskrun_1000_then_wait_all", "limit", () =>
        {
            for (var i = 0; i < tasks.Length; i++) tasks[i] = Task.Run(static () => 1);
            Task.WaitAll(tasks);
        }, PipelineDepth, settings);
    }

    /// <summary>
    /// The floor under stream_items_per_second: 1,000 small items handed from a producer on the thread pool to this
    /// thread through an unbounded Channel, with no serialization, store or scheduling on top.
    /// </summary>
    private static BenchResult ChannelItems(TimeitSettings settings) =>
        Timeit.Run("channel_items_per_second", "limit", () =>
        {
            var channel = System.Threading.Channels.Channel.CreateUnbounded<byte[]>(new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            _ = Task.Run(() =>
            {
                for (var i = 0; i < RayMetrics.StreamItems; i++) channel.Writer.TryWrite(PerfTasks.Ok);
                channel.Writer.Complete();
            });
            var reader = channel.Reader;
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out _))
                {
                }
            }
        }, RayMetrics.StreamItems, settings);

    /// <summary>8-byte ping-pong with a child process over a Unix socket: one blocking round trip (the floor under a sync call), and 1,000 in flight (the most an async call rate can batch).</summary>
    private static List<BenchResult> PingPong(TimeitSettings settings)
    {
        var path = Path.Combine(Path.GetTempPath(), $"raygen-bench-pingpong-{Environment.ProcessId}.sock");
        File.Delete(path);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        using var server = ChildProcess.StartSelf("pingpong-server", path);
        try
        {
            using var socket = listener.Accept();
            var buffer = new byte[8];
            var sync = Timeit.Run("uds_pingpong_8b_sync", "limit", () =>
            {
                socket.Send(buffer);
                ReceiveExactly(socket, buffer);
            }, 1, settings);

            var batch = new byte[8 * PipelineDepth];
            var pipelined = Timeit.Run("uds_pingpong_8b_1000_in_flight", "limit", () =>
            {
                socket.Send(batch);
                ReceiveExactly(socket, batch);
            }, PipelineDepth, settings);
            socket.Shutdown(SocketShutdown.Both);
            return new List<BenchResult> { sync, pipelined };
        }
        finally
        {
            ChildProcess.Stop(server);
            File.Delete(path);
        }
    }

    private static void ReceiveExactly(Socket socket, Span<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            var n = socket.Receive(buffer);
            if (n == 0) throw new IOException("the ping-pong peer closed the socket");
            buffer = buffer[n..];
        }
    }

    /// <summary>The echo side, run as a child process: it answers every 8 bytes with the same 8 bytes.</summary>
    public static int PingPongServer(string path)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(path));
        var buffer = new byte[64 * 1024];
        var pending = 0;
        while (true)
        {
            var n = socket.Receive(buffer.AsSpan(pending));
            if (n == 0) return 0;
            pending += n;
            // Echo whole 8-byte messages as they come; a partial one waits for its tail.
            var whole = pending / 8 * 8;
            socket.Send(buffer.AsSpan(0, whole));
            buffer.AsSpan(whole, pending - whole).CopyTo(buffer);
            pending -= whole;
        }
    }

    /// <summary>A copy of 100 MiB between two buffers already touched: the ceiling for single_client_put_gigabytes.</summary>
    private static unsafe BenchResult Memcpy(TimeitSettings settings)
    {
        const long bytes = (long)RayMetrics.LargeLongs * sizeof(long);
        var source = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 4096);
        var target = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 4096);
        try
        {
            new Span<byte>(source, (int)bytes).Fill(1);
            new Span<byte>(target, (int)bytes).Clear();
            return Timeit.Run("memcpy_100MiB", "limit", () => Buffer.MemoryCopy(source, target, bytes, bytes),
                RayMetrics.Gigabytes(bytes), settings, "GB per second");
        }
        finally
        {
            NativeMemory.AlignedFree(source);
            NativeMemory.AlignedFree(target);
        }
    }
}

/// <summary>Starts this benchmark program (or a peer program) as a child and makes sure it ends with us.</summary>
internal static class ChildProcess
{
    public static Process StartSelf(params string[] args)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the ping-pong server");
    }

    public static Process StartDll(string dll, IEnumerable<string> args, bool redirect)
    {
        var dotnet = Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet";
        var info = new ProcessStartInfo(dotnet)
        {
            UseShellExecute = false,
            RedirectStandardOutput = redirect,
            RedirectStandardError = redirect,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(dll);
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {dll}");
    }

    public static void Stop(Process process)
    {
        try
        {
            if (!process.WaitForExit(3000)) process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }
    }
}
