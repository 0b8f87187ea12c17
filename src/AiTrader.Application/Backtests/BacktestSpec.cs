using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Execution;
using AiTrader.Core.Sessions;

namespace AiTrader.Application.Backtests;

/// <summary>A backtest as a JSON document: the body of a backtest job (<c>POST /jobs/backtests</c>) and what the job
/// stores. Field names are snake_case; every field but <see cref="Symbol"/> has the CLI's default, and
/// <see cref="ToRequest"/> checks every field with the rules <c>aitrader backtest</c> applies to its flags.</summary>
public sealed record BacktestSpec
{
    /// <summary>Ticker to test, e.g. SPY (required).</summary>
    [JsonPropertyName("symbol")]
    public string? Symbol { get; init; }

    /// <summary>Strategy name from the catalog.</summary>
    [JsonPropertyName("strategy")]
    public string? Strategy { get; init; } = "breakout";

    /// <summary>First session date (YYYY-MM-DD, New York), inclusive; null for the start of the data.</summary>
    [JsonPropertyName("start")]
    public string? Start { get; init; }

    /// <summary>Last session date (YYYY-MM-DD, New York), inclusive; null for the end of the data.</summary>
    [JsonPropertyName("end")]
    public string? End { get; init; }

    /// <summary>Bar interval: 1Day, 1Hour, 30Min, 15Min, 5Min, 1Min.</summary>
    [JsonPropertyName("interval")]
    public string? Interval { get; init; } = "1Day";

    /// <summary>Price adjustment: split or raw.</summary>
    [JsonPropertyName("adjustment")]
    public string? Adjustment { get; init; } = "split";

    /// <summary>Strategy parameters by name, e.g. <c>{"lookback": "55"}</c> (numbers and booleans are taken as their text).</summary>
    [JsonPropertyName("parameters")]
    [JsonConverter(typeof(JsonSpec.ParameterMapConverter))]
    public IReadOnlyDictionary<string, string>? Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Initial capital in USD.</summary>
    [JsonPropertyName("capital")]
    public decimal Capital { get; init; } = 100_000m;

    /// <summary>Slippage per fill in basis points.</summary>
    [JsonPropertyName("slippage_bps")]
    public decimal SlippageBps { get; init; } = 5m;

    /// <summary>Commission per share in USD.</summary>
    [JsonPropertyName("commission_per_share")]
    public decimal CommissionPerShare { get; init; } = 0.005m;

    /// <summary>Minimum commission per order in USD.</summary>
    [JsonPropertyName("min_commission")]
    public decimal MinCommission { get; init; } = 1.00m;

    /// <summary>Allow short entries (long-only by default).</summary>
    [JsonPropertyName("allow_short")]
    public bool AllowShort { get; init; }

    /// <summary>Let orders fill on pre-market and after-hours bars.</summary>
    [JsonPropertyName("extended_hours")]
    public bool ExtendedHours { get; init; }

    /// <summary>Largest share of a bar's volume one order may take, in (0, 1]; null for no limit.</summary>
    [JsonPropertyName("max_volume_share")]
    public decimal? MaxVolumeShare { get; init; }

    /// <summary>Guardrails the order router checks: none, default, or a list such as <c>pdt,max_drawdown</c>.</summary>
    [JsonPropertyName("guardrails")]
    public string? Guardrails { get; init; } = "none";

    /// <summary>Also write equity.png and price.png (report.html draws the same charts interactively).</summary>
    [JsonPropertyName("png")]
    public bool Png { get; init; }

    /// <summary>Scale position size by the Kalman regime.</summary>
    [JsonPropertyName("regime_aware_sizing")]
    public bool RegimeAwareSizing { get; init; }

    /// <summary>Sizing agent on top of base risk: null or <c>fractional_kelly</c>.</summary>
    [JsonPropertyName("risk_agent")]
    public string? RiskAgent { get; init; }

    /// <summary>Kelly fraction for the fractional_kelly risk agent, in (0, 1].</summary>
    [JsonPropertyName("risk_agent_fraction")]
    public decimal RiskAgentFraction { get; init; } = 0.5m;

    /// <summary>Annual risk-free rate (a fraction, e.g. 0.04) Sharpe, Sortino and alpha are measured against.</summary>
    [JsonPropertyName("risk_free_rate")]
    public double RiskFreeRate { get; init; }

    /// <summary>Reads a spec; malformed JSON, an unknown field or a value of the wrong type fails with a
    /// <see cref="RequestException"/> naming the field when there is one.</summary>
    public static BacktestSpec FromJson(string json) => JsonSpec.Parse<BacktestSpec>(json, "backtest spec", "{\"symbol\": \"SPY\"}");

    /// <summary>The spec as compact JSON, every field written (defaults included), so a stored job says exactly what ran.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonSpec.Options);

    /// <summary>Checks every field and builds the request the backtest runner takes; a bad field fails with a
    /// <see cref="RequestException"/> naming it.</summary>
    /// <param name="outDir">Where the run writes its files; null for a new folder under the artifacts directory.</param>
    public BacktestRequest ToRequest(string? outDir)
    {
        if (string.IsNullOrWhiteSpace(Symbol))
        {
            throw new RequestException("symbol is required, e.g. \"symbol\": \"SPY\".", "symbol");
        }

        var symbol = RequestChecks.Symbol(Symbol, "symbol");
        var start = RequestChecks.OptionalDate(Start, "start");
        var end = RequestChecks.OptionalDate(End, "end");
        RequestChecks.DateRange(start, end, "start", "end");
        var interval = RequestChecks.Interval(Interval ?? string.Empty, "interval");
        var adjustment = RequestChecks.Adjustment(Adjustment ?? string.Empty, "adjustment");
        var options = new ExchangeOptions
        {
            InitialCapital = RequestChecks.Capital(Capital, "capital"),
            SlippageBps = RequestChecks.NonNegative(SlippageBps, "slippage_bps"),
            CommissionPerShare = RequestChecks.NonNegative(CommissionPerShare, "commission_per_share"),
            MinCommission = RequestChecks.NonNegative(MinCommission, "min_commission"),
            AllowShort = AllowShort,
            MaxVolumeShare = RequestChecks.VolumeShare(MaxVolumeShare, "max_volume_share"),
            ExtendedHours = ExtendedHours,
            Calendar = NyseCalendar.Instance,
        };
        if (options.SlippageBps >= 10_000)
        {
            // 10000 bps is the whole price: the engine refuses it, so the request does first.
            throw new RequestException(
                $"slippage_bps must be below 10000 (got {SlippageBps.ToString(CultureInfo.InvariantCulture)}).", "slippage_bps");
        }

        var sizing = RequestChecks.Sizing(RegimeAwareSizing, RiskAgent, RiskAgentFraction, "risk_agent", "risk_agent_fraction");
        var guardrails = RequestChecks.Guardrails(Guardrails, "guardrails");
        var rate = RequestChecks.RiskFreeRate(RiskFreeRate.ToString("R", CultureInfo.InvariantCulture), "risk_free_rate");
        var parameters = new Dictionary<string, string>(Parameters ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        var strategy = RequestChecks.Strategy(Strategy, parameters, sizing?.RegimeAware ?? false, "strategy", "parameters");

        return new BacktestRequest(symbol, start, end, strategy, interval, adjustment, parameters, options, outDir)
        {
            Sizing = sizing,
            Metrics = new MetricsOptions(RiskFreeRate: rate),
            Guardrails = guardrails,
            Png = Png,
        };
    }

}
