using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Risk.Sizing;

namespace AiTrader.Application.Sessions;

/// <summary>The settings that shape a trading run's orders, as its record in the run registry keeps them (pacing is not
/// one of them): the CLI's <c>trade</c> and the service's sessions record the same keys, so a run is recognised (and
/// refused when different) whoever started it.</summary>
public static class RunSettings
{
    public static Dictionary<string, string> For(string mode, IReadOnlyList<Symbol> watchlist, Timeframe interval,
        (DateOnly From, DateOnly To)? range, string strategy, IReadOnlyDictionary<string, string> parameters, ExchangeOptions costs,
        SizingOptions? sizing, int? flatten, string guardrails) => new(StringComparer.Ordinal)
        {
            ["mode"] = mode,
            ["symbols"] = string.Join(",", watchlist),
            ["interval"] = interval.ToString(),
            // The end of a replay may move on (resume a run for the next day); where it starts may not.
            ["replay_from"] = range is { } r ? $"{r.From:yyyy-MM-dd}" : "live",
            ["strategy"] = strategy.ToLowerInvariant(),
            ["parameters"] = string.Join(",", parameters.OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase).Select(p => $"{p.Key.ToLowerInvariant()}={p.Value}")),
            ["capital"] = costs.InitialCapital.ToString(CultureInfo.InvariantCulture),
            ["max_volume_share"] = costs.MaxVolumeShare?.ToString(CultureInfo.InvariantCulture) ?? "none",
            ["extended_hours"] = costs.ExtendedHours ? "true" : "false",
            ["sizing"] = sizing is null ? "fixed" : FormattableString.Invariant($"regime={sizing.RegimeAware},kelly={sizing.KellyFraction?.ToString(CultureInfo.InvariantCulture) ?? "none"}"),
            ["flatten_minutes"] = flatten?.ToString(CultureInfo.InvariantCulture) ?? "none",
            ["guardrails"] = guardrails,
        };
}
