using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.Strategies;

namespace AiTrader.Application.Sweeps;

/// <summary>Walk-forward windows in a <see cref="SweepSpec"/>: bars or years for each side, as <c>aitrader sweep</c>'s
/// <c>--in-sample</c>/<c>--is-years</c> and <c>--out-of-sample</c>/<c>--oos-years</c>.</summary>
public sealed record WalkForwardSpec
{
    [JsonPropertyName("in_sample_bars")]
    public int? InSampleBars { get; init; }

    [JsonPropertyName("out_of_sample_bars")]
    public int? OutOfSampleBars { get; init; }

    [JsonPropertyName("in_sample_years")]
    public double? InSampleYears { get; init; }

    [JsonPropertyName("out_of_sample_years")]
    public double? OutOfSampleYears { get; init; }
}

/// <summary>A parameter sweep (or walk-forward) as a JSON document: the body of a sweep job and what the job stores.
/// Field names are snake_case; <see cref="Symbol"/> and <see cref="Grid"/> are required, the rest have
/// <c>aitrader sweep</c>'s defaults.</summary>
public sealed record SweepSpec
{
    [JsonPropertyName("symbol")]
    public string? Symbol { get; init; }

    [JsonPropertyName("strategy")]
    public string? Strategy { get; init; } = "breakout";

    /// <summary>The grid in the CLI's syntax: <c>lookback=10:60:10,atr_multiplier=2,3</c>.</summary>
    [JsonPropertyName("grid")]
    public string? Grid { get; init; }

    [JsonPropertyName("start")]
    public string? Start { get; init; }

    [JsonPropertyName("end")]
    public string? End { get; init; }

    [JsonPropertyName("interval")]
    public string? Interval { get; init; } = "1Day";

    /// <summary>sharpe, cagr, total_return, calmar or profit_factor.</summary>
    [JsonPropertyName("rank_by")]
    public string? RankBy { get; init; } = "sharpe";

    [JsonPropertyName("capital")]
    public decimal Capital { get; init; } = 100_000m;

    /// <summary>Parameters fixed for every combination.</summary>
    [JsonPropertyName("parameters")]
    [JsonConverter(typeof(JsonSpec.ParameterMapConverter))]
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    [JsonPropertyName("risk_free_rate")]
    public double RiskFreeRate { get; init; }

    /// <summary>Also write heatmap.png (the heat map's SVG and HTML are always written).</summary>
    [JsonPropertyName("png")]
    public bool Png { get; init; }

    /// <summary>Walk forward with these windows; null runs one sweep over the whole range.</summary>
    [JsonPropertyName("walk_forward")]
    public WalkForwardSpec? WalkForward { get; init; }

    public static SweepSpec FromJson(string json) =>
        JsonSpec.Parse<SweepSpec>(json, "sweep spec", "{\"symbol\": \"SPY\", \"grid\": \"lookback=20:60:20\"}");

    public string ToJson() => JsonSerializer.Serialize(this, JsonSpec.Options);

    /// <summary>Checks every field and builds the sweep request; a bad field fails with a <see cref="RequestException"/>
    /// naming it. Combinations are checked against the strategy by <see cref="SweepRun.Check"/>.</summary>
    public SweepRequest ToRequest(string? outDir, int? parallelism = null)
    {
        if (string.IsNullOrWhiteSpace(Symbol))
        {
            throw new RequestException("symbol is required, e.g. \"symbol\": \"SPY\".", "symbol");
        }

        if (string.IsNullOrWhiteSpace(Grid))
        {
            throw new RequestException("grid is required, e.g. \"grid\": \"lookback=10:60:10,atr_multiplier=2,3\".", "grid");
        }

        var symbol = RequestChecks.Symbol(Symbol, "symbol");
        var strategy = (Strategy ?? string.Empty).Trim();
        if (!StrategyCatalog.Names.Contains(strategy, StringComparer.OrdinalIgnoreCase))
        {
            throw new RequestException($"strategy '{Strategy}' is not known; use one of {string.Join(", ", StrategyCatalog.Names)}.", "strategy");
        }

        var start = RequestChecks.OptionalDate(Start, "start");
        var end = RequestChecks.OptionalDate(End, "end");
        RequestChecks.DateRange(start, end, "start", "end");
        var interval = RequestChecks.Interval(Interval ?? string.Empty, "interval");
        ParameterGrid grid;
        try
        {
            grid = ParameterGrid.Parse(Grid);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new RequestException($"grid: {ex.Message}", "grid");
        }

        RankMetric rank;
        try
        {
            rank = RankMetrics.Parse(RankBy ?? string.Empty);
        }
        catch (FormatException ex)
        {
            throw new RequestException($"rank_by: {ex.Message}", "rank_by");
        }

        var rate = RequestChecks.RiskFreeRate(RiskFreeRate.ToString("R", CultureInfo.InvariantCulture), "risk_free_rate");
        var walk = WalkForward is { } w ? new WalkForwardRequest(w.InSampleBars, w.OutOfSampleBars, w.InSampleYears, w.OutOfSampleYears) : null;
        return new SweepRequest(symbol, strategy, grid, interval, start, end, rank,
            RequestChecks.Capital(Capital, "capital"), Parameters ?? new Dictionary<string, string>(), new MetricsOptions(RiskFreeRate: rate), walk,
            parallelism, outDir, Png);
    }
}
