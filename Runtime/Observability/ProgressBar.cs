using System;
using System.IO;
using System.Threading;

namespace RayGen.Observability;

/// <summary>
/// A one-line progress bar for a long Get or Wait of many refs (<c>RayOptions.ShowProgress</c>): redrawn a few times a
/// second by a timer while the caller blocks, erased when the wait ends. Never shown when the output is redirected.
/// </summary>
internal sealed class ProgressBar : IDisposable
{
    /// <summary>A wait on fewer refs than this ends too soon to need a bar.</summary>
    public const int MinimumRefs = 100;

    private static readonly TimeSpan s_delay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan s_period = TimeSpan.FromMilliseconds(200);

    private readonly Func<int> _done;
    private readonly int _total;
    private readonly string _label;
    private readonly TextWriter _output;
    private readonly Timer _timer;
    private readonly object _lock = new();
    private bool _drawn;
    private bool _disposed;

    private ProgressBar(string label, int total, Func<int> done, TextWriter output)
    {
        _label = label;
        _total = total;
        _done = done;
        _output = output;
        _timer = new Timer(static s => ((ProgressBar)s!).Draw(), this, s_delay, s_period);
    }

    /// <summary>Whether a wait on <paramref name="refs"/> refs shows a bar: asked for, enough refs, and a terminal to draw on.</summary>
    public static bool ShouldShow(bool enabled, int refs, bool outputRedirected) => enabled && refs >= MinimumRefs && !outputRedirected;

    /// <summary>A bar for this wait, or null when none is shown.</summary>
    public static ProgressBar? StartIfWanted(bool enabled, string label, int total, Func<int> done) =>
        ShouldShow(enabled, total, Console.IsOutputRedirected) ? new ProgressBar(label, total, done, Console.Out) : null;

    /// <summary>The bar's text for <paramref name="done"/> of <paramref name="total"/>.</summary>
    public static string Render(string label, int done, int total, int width = 30)
    {
        done = Math.Clamp(done, 0, total);
        var filled = total == 0 ? width : (int)((long)done * width / total);
        return $"{label} [{new string('#', filled)}{new string('-', width - filled)}] {done}/{total}";
    }

    private void Draw()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _output.Write("\r" + Render(_label, _done(), _total));
            _output.Flush();
            _drawn = true;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _timer.Dispose();
            if (!_drawn) return;
            // Erase the line, so what the program prints next starts clean.
            _output.Write("\r" + new string(' ', Render(_label, _total, _total).Length) + "\r");
            _output.Flush();
        }
    }
}
