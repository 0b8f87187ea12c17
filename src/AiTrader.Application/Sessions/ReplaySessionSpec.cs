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

/// <summary>A paper session as a JSON document (the body of <c>POST /api/sessions</c>), through the trading loop, the
/// order router and its guardrails, journaled: <c>"mode": "replay"</c> (the default) plays the bundled bars of
/// <see cref="Symbols"/> from <see cref="From"/> to <see cref="To"/> as <c>aitrader trade --paper --replay FROM:TO</c>
/// does; <c>"mode": "paper"</c> trades today's live Alpaca stream at the paper broker as <c>aitrader trade --paper</c>
/// does, until <see cref="MaxBars"/>, <see cref="Until"/> or a cancel. The run is resolved as <c>trade</c> resolves it.</summary>
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

    /// <summary>Take the watchlist from the premarket scan (<c>scan</c>) or a saved bucket instead of <see cref="Symbols"/>,
    /// as <c>trade --watchlist-source</c> does.</summary>
    [JsonPropertyName("watchlist_source")]
    public string? WatchlistSource { get; init; }

    /// <summary>Resume this run (its settings must match) or start one by this name, as <c>trade --run-id</c> does.</summary>
    [JsonPropertyName("run_id")]
    public string? RunId { get; init; }

    /// <summary>Start a new run even when an unfinished run of this kind exists, as <c>trade --new-run</c> does.</summary>
    [JsonPropertyName("new_run")]
    public bool NewRun { get; init; }

    /// <summary>Resuming a run: lift its max-drawdown halt (after the cool-off), as <c>trade --reset-halt</c> does.</summary>
    [JsonPropertyName("reset_halt")]
    public bool ResetHalt { get; init; }

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

    /// <summary>The session this spec asks for, each field read and checked on its own (a bad one throws
    /// <see cref="RequestException"/> naming it); <see cref="TradingSessions.Check"/> checks the rules between them. As
    /// <c>trade</c>, the same spec again resumes its unfinished run (<see cref="NewRun"/> starts another); a cancelled
    /// session is recorded as stopped, so only its <see cref="RunId"/> resumes it.</summary>
    public TradingSessionRequest ToRequest()
    {
        var symbols = (Symbols ?? []).Select(s => RequestChecks.Symbol(s ?? string.Empty, "symbols")).Distinct().ToList();
        var live = IsLive;
        // The live stream comes at its own pace; trade --paper takes --speed and waits after each bar time, a job does not.
        if (live && Speed is not (null or "max"))
        {
            throw new RequestException("speed paces a replay; the live stream comes at its own pace.", "speed");
        }

        var from = From is null ? (DateOnly?)null : RequestChecks.Date(From, "from");
        var to = To is null ? (DateOnly?)null : RequestChecks.Date(To, "to");
        var interval = RequestChecks.Interval(Interval ?? string.Empty, "interval");
        if (MaxBars is < 1)
        {
            throw new RequestException($"max_bars must be at least 1 (got {MaxBars}).", "max_bars");
        }

        var until = UntilUtc;
        var capital = RequestChecks.Capital(Capital, "capital");
        var delay = live ? null : RequestChecks.Speed(Speed ?? "max", interval, "speed");
        var volumeShare = RequestChecks.VolumeShare(MaxVolumeShare, "max_volume_share");
        if (FlattenMinutes is < 0 or > 390)
        {
            throw new RequestException($"flatten_minutes must be 0 to 390 (got {FlattenMinutes}).", "flatten_minutes");
        }

        return new TradingSessionRequest
        {
            Mode = live ? SessionMode.Paper : SessionMode.Replay,
            Symbols = symbols,
            From = from,
            To = to,
            Interval = interval,
            DelayPerBar = delay,
            Strategy = Strategy ?? string.Empty,
            Parameters = Parameters ?? new Dictionary<string, string>(),
            Capital = capital,
            MaxVolumeShare = volumeShare,
            ExtendedHours = ExtendedHours,
            Sizing = RequestChecks.Sizing(RegimeAwareSizing, RiskAgent, RiskAgentFraction, "risk_agent", "risk_agent_fraction"),
            Guardrails = Guardrails ?? "none",
            FlattenMinutes = FlattenMinutes,
            MaxBars = MaxBars,
            Until = until,
            WatchlistSource = string.IsNullOrWhiteSpace(WatchlistSource) ? null : WatchlistSource.Trim(),
            RunId = string.IsNullOrWhiteSpace(RunId) ? null : RunId.Trim(),
            NewRun = NewRun,
            ResetHalt = ResetHalt,
            RecordCancelAsStopped = true,
        };
    }
}
