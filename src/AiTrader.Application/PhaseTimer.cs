using System.Diagnostics;
using System.Globalization;

namespace AiTrader.Application;

/// <summary>Wall time and managed heap per phase of a run, printed to standard error when AITRADER_PHASES=1: how
/// <c>aitrader bench</c>'s end-to-end figures are broken down (load, engine, metrics, files, report).</summary>
public sealed class PhaseTimer
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();
    private readonly bool _enabled = Environment.GetEnvironmentVariable("AITRADER_PHASES") == "1";
    private double _last;
    private double _lastCpu = Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds;

    public static PhaseTimer Start() => new();

    /// <summary>Prints the wall time of work called <paramref name="name"/> that ran beside the phases (on another core,
    /// so no phase shows it alone), after the phase that waited for it.</summary>
    public void Beside(string name, TimeSpan elapsed)
    {
        if (_enabled)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"beside {name,-13} {elapsed.TotalMilliseconds,8:F0} ms"));
        }
    }

    /// <summary>Ends the phase called <paramref name="name"/> (a no-op unless enabled).</summary>
    public void Lap(string name)
    {
        if (!_enabled)
        {
            return;
        }

        var now = _watch.Elapsed.TotalMilliseconds;
        var process = Process.GetCurrentProcess();
        // CPU time (all threads, the JIT's included) says what a phase costs when other work shares the cores.
        var cpu = process.TotalProcessorTime.TotalMilliseconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"phase {name,-14} {now - _last,8:F0} ms  cpu {cpu - _lastCpu,6:F0} ms  heap {GC.GetTotalMemory(false) / 1048576,5} MiB  peak ws {process.PeakWorkingSet64 / 1048576,5} MiB  since start {(DateTime.Now - process.StartTime).TotalMilliseconds,6:F0} ms"));
        _last = now;
        _lastCpu = cpu;
    }
}
