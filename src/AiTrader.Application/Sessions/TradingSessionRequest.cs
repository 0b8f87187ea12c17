using AiTrader.Core.Domain;
using AiTrader.Core.Risk.Sizing;

namespace AiTrader.Application.Sessions;

/// <summary>What drives a trading session and where its orders go.</summary>
public enum SessionMode
{
    /// <summary>Bundled bars replayed on a simulated clock, filled by the paper exchange.</summary>
    Replay,

    /// <summary>The live Alpaca stream, filled by the paper exchange.</summary>
    Paper,

    /// <summary>The live Alpaca stream, orders sent to a real broker account.</summary>
    Live,
}

/// <summary>The text of a <see cref="SessionMode"/>: the run registry's mode and the prefix of new run ids.</summary>
public static class SessionModes
{
    public static string ToText(this SessionMode mode) => mode switch
    {
        SessionMode.Replay => "replay",
        SessionMode.Paper => "paper",
        SessionMode.Live => "live",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    /// <summary>True for the modes the live stream drives (paper and live).</summary>
    public static bool IsStream(this SessionMode mode) => mode != SessionMode.Replay;
}

/// <summary>A trading session as whoever asks (<c>aitrader trade</c>, <c>POST /api/sessions</c>) describes it, each value
/// already read from its flag or field; <see cref="TradingSessions.Check"/> holds the rules between the values.</summary>
public sealed record TradingSessionRequest
{
    public required SessionMode Mode { get; init; }

    /// <summary>The watchlist; empty when <see cref="WatchlistSource"/> picks it.</summary>
    public IReadOnlyList<Symbol> Symbols { get; init; } = [];

    /// <summary>Take the watchlist from the premarket scan (<c>scan</c>) or a saved bucket: the first session's list for a
    /// replay, today's on the stream.</summary>
    public string? WatchlistSource { get; init; }

    /// <summary>A replay's first New York session date; none on the stream (it trades today).</summary>
    public DateOnly? From { get; init; }

    /// <summary>A replay's last New York session date.</summary>
    public DateOnly? To { get; init; }

    public Timeframe Interval { get; init; } = Timeframe.OneMinute;

    /// <summary>Pacing: the wait after each bar time; null for none.</summary>
    public TimeSpan? DelayPerBar { get; init; }

    public string Strategy { get; init; } = "breakout";

    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The paper account's starting cash.</summary>
    public decimal Capital { get; init; } = 100_000m;

    /// <summary>The largest share of a bar's volume one order may take; null for no limit.</summary>
    public decimal? MaxVolumeShare { get; init; }

    public bool ExtendedHours { get; init; }

    /// <summary>Sizing on top of the strategy's base risk; null for fixed risk.</summary>
    public SizingOptions? Sizing { get; init; }

    /// <summary>none, default, or a list of rules (<see cref="AiTrader.Core.Risk.GuardrailCatalog"/>).</summary>
    public string Guardrails { get; init; } = "default";

    public int? FlattenMinutes { get; init; }

    /// <summary>Resuming a run: lift its max-drawdown halt (after the cool-off).</summary>
    public bool ResetHalt { get; init; }

    /// <summary>On the stream: stop after this many bars (all symbols together).</summary>
    public int? MaxBars { get; init; }

    /// <summary>On the stream: stop at this UTC instant.</summary>
    public DateTime? Until { get; init; }

    /// <summary>Resume this run (its settings must match) or start one by this name; null for the unfinished run of the
    /// same kind, or a new one.</summary>
    public string? RunId { get; init; }

    /// <summary>Start a new run even when an unfinished one of this kind exists.</summary>
    public bool NewRun { get; init; }

    /// <summary>What a cancelled replay leaves behind: unfinished (false), so that the same request resumes it, or
    /// recorded as stopped (true), for callers whose runs are never resumed by repeating the request (the service).</summary>
    public bool RecordCancelAsStopped { get; init; }

    /// <summary>How the caller names the values in its messages.</summary>
    public SessionTerms Terms { get; init; } = SessionTerms.Service;
}

/// <summary>How a surface names a session's values and words the rules that tie several of them together: the service's
/// JSON fields by default; the CLI gives its flags. The rules are the same whoever asks; only their wording differs.</summary>
public sealed record SessionTerms
{
    /// <summary>The service's words: its JSON field names.</summary>
    public static SessionTerms Service { get; } = new();

    public string Symbols { get; init; } = "symbols";

    public string From { get; init; } = "from";

    public string To { get; init; } = "to";

    public string WatchlistSource { get; init; } = "watchlist_source";

    public string RunId { get; init; } = "run_id";

    public string NewRun { get; init; } = "new_run";

    /// <summary>A message about the strategy or its parameters: the value's name, then the catalog's reason.</summary>
    public Func<string, string, string> Named { get; init; } = (name, reason) => $"{name}: {reason}";

    public string Strategy { get; init; } = "strategy";

    public string Parameters { get; init; } = "parameters";

    public string Guardrails { get; init; } = "guardrails";

    /// <summary>A replay's dates as the surface writes them.</summary>
    public Func<DateOnly, DateOnly, string> Range { get; init; } = (from, to) => $"from {from:yyyy-MM-dd} to {to:yyyy-MM-dd}";

    /// <summary>A session on the live stream given replay dates.</summary>
    public string DatesOnStream { get; init; } =
        "a paper session on the live stream trades today; leave out from and to, or use \"mode\": \"replay\".";

    /// <summary>A replay given no first or last date (named).</summary>
    public Func<string, string> DateRequired { get; init; } = name => $"{name} is required, e.g. \"{name}\": \"2013-10-07\".";

    /// <summary>Neither symbols nor a watchlist source.</summary>
    public string SymbolsRequired { get; init; } = "symbols is required, e.g. \"symbols\": [\"SPY\", \"IBM\"].";

    /// <summary>A session on the live stream at another interval than 1Min.</summary>
    public Func<Timeframe, string> IntervalOnStream { get; init; } =
        interval => $"the live stream delivers 1Min bars (got {interval}); leave out interval or use \"mode\": \"replay\".";

    /// <summary>A replay given a bar count or an instant to stop at.</summary>
    public string StopsOnReplay { get; init; } = "max_bars and until stop a paper session on the live stream; a replay ends at its last date.";

    /// <summary>A session on the live stream without the stream's keys.</summary>
    public string NoStreamKeys { get; init; } =
        "a paper session on the live stream needs APCA_API_KEY_ID and APCA_API_SECRET_KEY set for the service (and ALPACA_STREAM_URL for another feed); or replay bundled bars with \"mode\": \"replay\".";

    /// <summary>What to do about a replay range with no bundled bars.</summary>
    public string NoBarsHint { get; init; } = "pick dates the data covers";

    /// <summary>Why a session on the stream ended: interrupted, its instant reached, its bar count reached.</summary>
    public (string Interrupted, string Until, string MaxBars) StopWords { get; init; } = ("stopped", "until reached", "max_bars reached");
}
