using System;
using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Pipelines;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MemoryPack;
using RayGen.Protocol;

namespace RayGen.Benchmarks;

/// <summary>
/// `transport [--seconds S] [--rounds N]`: the runtime's frame path against one built on System.IO.Pipelines, over
/// the same kind of Unix socket pair, in one run. A plain blocking client sends frames to an echo server and reads
/// the echoes back; only the server differs: the runtime's <see cref="FrameConnection"/> as a worker uses it
/// (handler inline, replies to frames read together corked into one write), or a PipeReader/PipeWriter pair over
/// a NetworkStream (decode every whole frame of a read, re-encode each into the PipeWriter, one flush per read).
/// A raw 8-byte echo (no framing, no serializer) is the floor. Variants alternate within each round, so drift
/// in the machine's load falls on all of them alike; the figures are medians over the rounds.
/// </summary>
internal static class TransportBench
{
    private const int Burst = 1000;

    public static int Run(string[] args)
    {
        var seconds = 1.0;
        var rounds = 5;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--seconds") seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
            if (args[i] == "--rounds") rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
        }

        // A frame the size of a small call: a few dozen bytes on the wire.
        var body = MemoryPackSerializer.Serialize<IFrame>(new LoadAssembliesFrame { Paths = new[] { "RayGen.Benchmarks.PerfTasks.SmallValue" } });
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, body.Length);
        body.CopyTo(frame.AsSpan(4));
        var burst = new byte[frame.Length * Burst];
        for (var i = 0; i < Burst; i++) frame.CopyTo(burst.AsSpan(i * frame.Length));

        var servers = new (string Name, Func<Socket, IDisposable> Start)[]
        {
            ("raw 8-byte echo", RawEcho),
            ("FrameConnection", FrameConnectionEcho),
            ("Pipelines", PipelinesEcho),
            ("Pipelines+pump", PumpedPipelinesEcho),
        };
        var results = new Dictionary<string, List<Figures>>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, start) in servers)
            {
                var (client, server) = SocketPair();
                using var echo = start(server);
                using var c = client;
                var raw = name.StartsWith("raw", StringComparison.Ordinal);
                var one = raw ? new byte[8] : frame;
                var many = raw ? new byte[8 * Burst] : burst;
                RoundTrips(client, one, many, TimeSpan.FromSeconds(seconds / 4)); // warm-up
                var sync = Measure(() => client.RoundTrip(one), 1, seconds);
                var batched = Measure(() => client.RoundTrip(many), Burst, seconds);
                if (!results.TryGetValue(name, out var list)) results[name] = list = new List<Figures>();
                list.Add(new Figures(sync.Rate, sync.CpuMicros, sync.Switches, batched.Rate, batched.CpuMicros, batched.Switches));
            }
        }

        var floor = Median(results["raw 8-byte echo"], f => f.SyncRate);
        var ours = Median(results["FrameConnection"], f => f.SyncRate);
        var oursBurst = Median(results["FrameConnection"], f => f.BurstRate);
        Console.WriteLine($"transport: {rounds} rounds of {seconds:F1} s per variant and pattern, medians; load {File.ReadAllText("/proc/loadavg").Trim()}");
        foreach (var (name, list) in results)
        {
            var sync = Median(list, f => f.SyncRate);
            var burstRate = Median(list, f => f.BurstRate);
            Console.WriteLine($"  {name,-16} round trip {sync,9:N0}/s ({sync / floor:F2}x raw, {sync / ours:F2}x FrameConnection), " +
                              $"{Median(list, f => f.SyncCpu),6:F1} us cpu, {Median(list, f => f.SyncSwitches),4:F2} switches per trip; " +
                              $"burst of {Burst} {burstRate,11:N0} frames/s ({burstRate / oursBurst:F2}x FrameConnection), " +
                              $"{Median(list, f => f.BurstCpu),5:F2} us cpu, {Median(list, f => f.BurstSwitches),5:F3} switches per frame");
        }

        return 0;
    }

    private readonly record struct Figures(double SyncRate, double SyncCpu, double SyncSwitches, double BurstRate, double BurstCpu, double BurstSwitches);

    private readonly record struct Measured(double Rate, double CpuMicros, double Switches);

    private static double Median(List<Figures> list, Func<Figures, double> pick)
    {
        var sorted = list.Select(pick).OrderBy(x => x).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static Measured Measure(Action body, int perCall, double seconds)
    {
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw0 = Switches();
        var watch = Stopwatch.StartNew();
        long calls = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 16; i++) body();
            calls += 16;
        }

        watch.Stop();
        var units = (double)calls * perCall;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMicroseconds;
        return new Measured(units / watch.Elapsed.TotalSeconds, cpu / units, (Switches() - sw0) / units);
    }

    private static void RoundTrips(Socket client, byte[] one, byte[] many, TimeSpan span)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < span)
        {
            client.RoundTrip(one);
            client.RoundTrip(many);
        }
    }

    /// <summary>Sends the bytes and reads back as many (an echo returns the same bytes).</summary>
    private static void RoundTrip(this Socket socket, byte[] bytes)
    {
        socket.Send(bytes);
        var buffer = t_receive ??= new byte[1 << 20];
        var left = bytes.Length;
        while (left > 0)
        {
            var n = socket.Receive(buffer.AsSpan(0, Math.Min(left, buffer.Length)));
            if (n == 0) throw new IOException("the echo server closed the socket");
            left -= n;
        }
    }

    [ThreadStatic] private static byte[]? t_receive;

    /// <summary>All voluntary and involuntary context switches of this process's threads so far.</summary>
    private static long Switches()
    {
        long total = 0;
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                        total += long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
                }
            }
            catch (IOException)
            {
                // A thread that ended meanwhile.
            }
        }

        return total;
    }

    private static (Socket Client, Socket Server) SocketPair()
    {
        var path = Path.Combine(Path.GetTempPath(), $"raygen-transport-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen(1);
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(path));
        var server = listener.Accept();
        File.Delete(path);
        return (client, server);
    }

    private static IDisposable RawEcho(Socket socket)
    {
        var thread = new Thread(() =>
        {
            var buffer = new byte[64 * 1024];
            var pending = 0;
            try
            {
                while (true)
                {
                    var n = socket.Receive(buffer.AsSpan(pending));
                    if (n == 0) return;
                    pending += n;
                    var whole = pending / 8 * 8;
                    socket.Send(buffer.AsSpan(0, whole));
                    buffer.AsSpan(whole, pending - whole).CopyTo(buffer);
                    pending -= whole;
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }) { IsBackground = true, Name = "raw echo" };
        thread.Start();
        return socket;
    }

    /// <summary>The worker's configuration: handlers run inline and may be overtaken; replies cork while reading.</summary>
    private static IDisposable FrameConnectionEcho(Socket socket)
    {
        var connection = new FrameConnection(socket, "echo", new SendDeferral()) { CorkWhileReading = true };
        connection.Start((c, frame) =>
        {
            c.AllowTakeover();
            c.Send(frame);
        }, (_, _) => { });
        return connection;
    }

    private static IDisposable PipelinesEcho(Socket socket)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096));
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024));
        _ = Task.Run(() => PipelinesLoop(reader, writer));
        return stream;
    }

    /// <summary>
    /// Pipelines at their best for this job: a dedicated thread blocks in the socket's receive (as the runtime's loop
    /// does) and fills a Pipe whose reader continues inline on that thread, so no epoll or pool thread wakes.
    /// </summary>
    private static IDisposable PumpedPipelinesEcho(Socket socket)
    {
        var pipe = new Pipe(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: 0, minimumSegmentSize: 64 * 1024, useSynchronizationContext: false));
        var stream = new NetworkStream(socket, ownsSocket: true);
        var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024));
        var loop = PipelinesLoop(pipe.Reader, writer);
        var thread = new Thread(() =>
        {
            try
            {
                while (true)
                {
                    var memory = pipe.Writer.GetMemory(4096);
                    var n = socket.Receive(memory.Span);
                    if (n == 0) break;
                    pipe.Writer.Advance(n);
                    pipe.Writer.FlushAsync().GetAwaiter().GetResult(); // runs the reader's continuation here
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }

            pipe.Writer.Complete();
        }) { IsBackground = true, Name = "pipe pump" };
        thread.Start();
        GC.KeepAlive(loop);
        return stream;
    }

    private static async Task PipelinesLoop(PipeReader reader, PipeWriter writer)
    {
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                var echoed = 0;
                while (TryReadFrame(ref buffer, out var frame))
                {
                    WriteFrame(writer, frame);
                    echoed++;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (echoed > 0) await writer.FlushAsync().ConfigureAwait(false);
                if (result.IsCompleted) return;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    private static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out IFrame frame)
    {
        frame = null!;
        if (buffer.Length < 4) return false;
        Span<byte> header = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(header);
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (buffer.Length < 4L + length) return false;
        var body = buffer.Slice(4, length);
        frame = MemoryPackSerializer.Deserialize<IFrame>(body)!;
        buffer = buffer.Slice(body.End);
        return true;
    }

    private static void WriteFrame(PipeWriter writer, IFrame frame)
    {
        // The length goes in front of a body whose size is known only once written: keep the header's memory and
        // fill it in after. The pipe hands nothing to the stream before the flush, so the memory is still ours.
        var header = writer.GetMemory(256)[..4];
        writer.Advance(4);
        var before = writer.UnflushedBytes;
        MemoryPackSerializer.Serialize(writer, frame);
        BinaryPrimitives.WriteInt32LittleEndian(header.Span, (int)(writer.UnflushedBytes - before));
    }
}
