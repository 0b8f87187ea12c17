using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AiTrader.Application;

/// <summary>The platform's own traces and metrics (BCL <see cref="ActivitySource"/> and <see cref="Meter"/>, exported by
/// OpenTelemetry in the service): a span per job with its kind, id, symbol and outcome; counts and durations of jobs.</summary>
public static class Telemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "AiTrader";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Jobs finished, by <c>kind</c> and final <c>state</c>.</summary>
    public static readonly Counter<long> JobsFinished = Meter.CreateCounter<long>("aitrader.jobs.finished", "{job}", "Jobs finished, by kind and state.");

    /// <summary>How long jobs ran, by <c>kind</c> and final <c>state</c>.</summary>
    public static readonly Histogram<double> JobDuration = Meter.CreateHistogram<double>("aitrader.jobs.duration", "s", "Time from a job's start to its end.");

    /// <summary>The backtest engine's speed on each run (bars per second of engine time), by <c>strategy</c>.</summary>
    public static readonly Histogram<double> BacktestThroughput = Meter.CreateHistogram<double>(
        "aitrader.backtest.throughput", "{bar}/s", "Bars per second of engine time, per backtest run, by strategy.");

    /// <summary>How long each live premarket scan refresh took.</summary>
    public static readonly Histogram<double> ScanRefreshDuration = Meter.CreateHistogram<double>(
        "aitrader.scan.refresh.duration", "s", "Time of one live premarket scan refresh (snapshots, bars, ranking).");
}
