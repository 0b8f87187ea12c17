using System.CommandLine;
using System.Globalization;

namespace AiTrader.Cli.Commands;

/// <summary>The execution-realism flags shared by the commands that run backtests.</summary>
internal static class ExecutionOptions
{
    public static (Option<decimal?> MaxVolumeShare, Option<bool> ExtendedHours) Create() =>
    (
        new Option<decimal?>("--max-volume-share")
        {
            Description = "Largest share of a bar's volume one order may take (e.g. 0.1); the rest fills on later bars of the session or is cancelled at its end. [default: no limit]",
        },
        new Option<bool>("--extended-hours")
        {
            Description = "Let orders fill on pre-market and after-hours bars (regular session only by default).",
        });

    /// <summary>The checked --max-volume-share value: null, or in (0, 1].</summary>
    public static decimal? VolumeShare(decimal? value) => RequestChecks.VolumeShare(value);
}
