using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AiTrader.Core.Agents;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Risk;
using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Sessions;

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

/// <summary>A paper session as a JSON document (the body of <c>POST /api/sessions</c>), through the trading loop, the
/// order router and its guardrails, journaled: <c>"mode": "replay"</c> (the default) plays the bundled bars of
/// <see cref="Symbols"/> from <see cref="From"/> to <see cref="To"/> as <c>aitrader trade --paper --replay FROM:TO</c>
/// does; <c>"mode": "paper"</c> trades today's live Alpaca stream at the paper broker as <c>aitrader trade --paper</c>
/// does, until <see cref="MaxBars"/>, <see cref="Until"/> or a cancel.</summary>
public sealed record ReplaySessionSpec
{
    /// <summary>The session modes: a replay of bundled bars, or the live stream at the paper broker.</summary>
    public static readonly IReadOnlyList<string> Modes = ["replay", "paper"];

    [JsonPropertyName("mode")]
    public string? Mode { get; init; } = "replay";

    /// <summary>Paper on the live stream: stop after this many bars (all symbols together).</summary>
    [JsonPropertyName("max_bars")]
    public int? MaxBars { get; init; }

    /// <summary>Paper on the live stream: stop at this instant (ISO-8601 with Z or an offset).</summary>
    [JsonPropertyName("until")]
    public string? Until { get; init; }

    [JsonPropertyName("symbols")]
    public IReadOnlyList<string>? Symbols { get; init; }

    [JsonPropertyName("from")]
    public string? From { get; init; }

    [JsonPropertyName("to")]
    public string? To { get; init; }

    [JsonPropertyName("interval")]
    public string? Interval { get; init; } = "1Min";

    [JsonPropertyName("strategy")]
    public string? Strategy { get; init; } = "breakout";

    [JsonPropertyName("parameters")]
    [JsonConverter(typeof(JsonSpec.ParameterMapConverter))]
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    [JsonPropertyName("capital")]
    public decimal Capital { get; init; } = 100_000m;

    [JsonPropertyName("max_volume_share")]
    public decimal? MaxVolumeShare { get; init; }

    [JsonPropertyName("extended_hours")]
    public bool ExtendedHours { get; init; }

    [JsonPropertyName("flatten_minutes")]
    public int? FlattenMinutes { get; init; }

    /// <summary>none, default (the default set, as <c>trade</c>), or a list of rules.</summary>
    [JsonPropertyName("guardrails")]
    public string? Guardrails { get; init; } = "default";

    /// <summary>Pacing: <c>max</c> or a factor of real time (60 plays one minute per second).</summary>
    [JsonPropertyName("speed")]
    public string? Speed { get; init; } = "max";

    [JsonPropertyName("regime_aware_sizing")]
    public bool RegimeAwareSizing { get; init; }

    [JsonPropertyName("risk_agent")]
    public string? RiskAgent { get; init; }

    [JsonPropertyName("risk_agent_fraction")]
    public decimal RiskAgentFraction { get; init; } = 0.5m;

    /// <summary>True for a paper session on the live stream; false for a replay. Throws for an unknown mode.</summary>
    [JsonIgnore]
    public bool IsLive => (Mode ?? "replay").Trim().ToLowerInvariant() switch
    {
        "replay" => false,
        "paper" => true,
        _ => throw new RequestException($"mode '{Mode}' is not a session mode; use {string.Join(" or ", Modes)}.", "mode"),
    };

    /// <summary><see cref="Until"/> as UTC, or null.</summary>
    [JsonIgnore]
    public DateTime? UntilUtc => Until is null
        ? null
        : DateTimeOffset.TryParse(Until, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            && (Until.TrimEnd().EndsWith('Z') || Until.Contains('+') || Until.LastIndexOf('-') > Until.IndexOf('T'))
            ? at.UtcDateTime
            : throw new RequestException($"until '{Until}' is not an ISO-8601 instant with Z or an offset, e.g. 2026-12-07T20:00:00Z.", "until");

    public static ReplaySessionSpec FromJson(string json) =>
        JsonSpec.Parse<ReplaySessionSpec>(json, "session spec", "{\"symbols\": [\"SPY\"], \"from\": \"2013-10-07\", \"to\": \"2013-10-11\"}");

    public string ToJson() => JsonSerializer.Serialize(this, JsonSpec.Options);

    /// <summary>A checked session: its options (under <paramref name="runId"/>, state in <paramref name="stateDirectory"/>)
    /// and the settings its run record keeps. A bad field throws <see cref="RequestException"/> naming it.</summary>
    public (TradingSessionOptions Options, Dictionary<string, string> Settings) ToOptions(string runId, string stateDirectory)
    {
        if (Symbols is not { Count: > 0 })
        {
            throw new RequestException("symbols is required, e.g. \"symbols\": [\"SPY\", \"IBM\"].", "symbols");
        }

        var symbols = Symbols.Select(s => RequestChecks.Symbol(s ?? string.Empty, "symbols")).Distinct().ToList();
        var live = IsLive;
        DateOnly from, to;
        if (live)
        {
            if (From is not null || To is not null)
            {
                throw new RequestException("a paper session on the live stream trades today; leave out from and to, or use \"mode\": \"replay\".", From is not null ? "from" : "to");
            }

            if (Speed is not (null or "max"))
            {
                throw new RequestException("speed paces a replay; the live stream comes at its own pace.", "speed");
            }

            from = to = ExchangeTime.SessionDate(DateTime.UtcNow);
        }
        else
        {
            if (MaxBars is not null || Until is not null)
            {
                throw new RequestException("max_bars and until stop a paper session on the live stream; a replay ends at its last date.", MaxBars is not null ? "max_bars" : "until");
            }

            from = RequestChecks.Date(From ?? throw new RequestException("from is required, e.g. \"from\": \"2013-10-07\".", "from"), "from");
            to = RequestChecks.Date(To ?? throw new RequestException("to is required, e.g. \"to\": \"2013-10-11\".", "to"), "to");
            RequestChecks.DateRange(from, to, "from", "to");
        }

        var interval = RequestChecks.Interval(Interval ?? string.Empty, "interval");
        if (live && interval != Timeframe.OneMinute)
        {
            throw new RequestException($"the live stream delivers 1Min bars (got {interval}); leave out interval or use \"mode\": \"replay\".", "interval");
        }

        if (MaxBars is < 1)
        {
            throw new RequestException($"max_bars must be at least 1 (got {MaxBars}).", "max_bars");
        }

        _ = UntilUtc;
        var capital = RequestChecks.Capital(Capital, "capital");
        var delay = live ? TimeSpan.Zero : RequestChecks.Speed(Speed ?? "max", interval, "speed");
        var volumeShare = RequestChecks.VolumeShare(MaxVolumeShare, "max_volume_share");
        if (FlattenMinutes is < 0 or > 390)
        {
            throw new RequestException($"flatten_minutes must be 0 to 390 (got {FlattenMinutes}).", "flatten_minutes");
        }

        var parameters = Parameters ?? new Dictionary<string, string>();
        var sizing = RequestChecks.Sizing(RegimeAwareSizing, RiskAgent, RiskAgentFraction, "risk_agent", "risk_agent_fraction");
        var strategy = RequestChecks.Strategy(Strategy, parameters, sizing?.RegimeAware ?? false, "strategy", "parameters");
        var guardrails = RequestChecks.Guardrails(Guardrails, "guardrails");
        var guardrailSet = GuardrailCatalog.Parse(guardrails);
        var costs = new ExchangeOptions(InitialCapital: capital, MaxVolumeShare: volumeShare, ExtendedHours: ExtendedHours);
        var settings = RunSettings.For(live ? "paper" : "replay", symbols, interval, live ? null : (from, to), strategy, parameters, costs, sizing, FlattenMinutes, guardrails);
        var options = new TradingSessionOptions(runId, symbols, from, to, interval, strategy, parameters, costs, FlattenMinutes, delay,
            stateDirectory, Sizing: sizing, Guardrails: guardrailSet ?? (_ => new GuardrailSet([])));
        return (options, settings);
    }
}
