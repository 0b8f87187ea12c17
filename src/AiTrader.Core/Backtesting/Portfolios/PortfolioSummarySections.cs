using System.Text.Json;

namespace AiTrader.Core.Backtesting.Portfolios;

/// <summary>The portfolio-only parts of summary.json: the account's limits, one row per symbol and the benchmark.</summary>
/// <remarks>Written after the single-run keys (which then describe the whole account), so a reader of single-run
/// summaries still finds <c>final_equity</c>, <c>sharpe</c> and the rest where it expects them.</remarks>
public static class PortfolioSummarySections
{
    /// <summary>Writes <c>portfolio</c>, <c>per_symbol</c> and <c>benchmark</c> (null when there is none).</summary>
    public static void Write(Utf8JsonWriter w, PortfolioBacktestResult result, IReadOnlyList<SymbolPerformance> symbols,
        BenchmarkComparison? benchmark)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(symbols);

        w.WriteStartObject("portfolio");
        w.WriteStartArray("symbols");
        foreach (var symbol in result.Symbols)
        {
            w.WriteStringValue(symbol.Value);
        }

        w.WriteEndArray();
        BacktestReportWriter.WriteNumber(w, "max_symbol_weight", result.Options.MaxSymbolWeight);
        BacktestReportWriter.WriteNumber(w, "max_gross_exposure", result.Options.MaxGrossExposure);
        w.WriteNumber("entries_cut", result.LimitEvents.Count(e => !e.Dropped));
        w.WriteNumber("entries_dropped", result.LimitEvents.Count(e => e.Dropped));
        w.WriteNumber("lowest_cash", result.LowestCash);
        w.WriteNumber("max_gross_exposure_seen", result.EquityCurve.Count == 0 ? 0m : result.EquityCurve.Max(p => p.GrossExposure));
        w.WriteEndObject();

        w.WriteStartArray("per_symbol");
        foreach (var s in symbols)
        {
            w.WriteStartObject();
            w.WriteString("symbol", s.Symbol.Value);
            w.WriteNumber("bars", s.Bars);
            w.WriteNumber("skipped_bars", s.SkippedBars);
            w.WriteNumber("trades", s.Trades.Trades);
            w.WriteNumber("wins", s.Trades.Wins);
            w.WriteNumber("losses", s.Trades.Losses);
            BacktestReportWriter.WriteNumber(w, "win_rate", s.Trades.WinRate);
            w.WriteNumber("pnl", s.Trades.TotalPnl);
            w.WriteNumber("fees", s.Trades.TotalFees);
            BacktestReportWriter.WriteNumber(w, "contribution", s.Contribution);
            BacktestReportWriter.WriteNumber(w, "profit_factor", s.Trades.ProfitFactor);
            w.WriteNumber("entries_cut", s.EntriesCut);
            w.WriteNumber("entries_dropped", s.EntriesDropped);
            w.WriteEndObject();
        }

        w.WriteEndArray();

        if (benchmark is null)
        {
            w.WriteNull("benchmark");
            return;
        }

        var m = benchmark.BuyAndHold;
        var r = benchmark.Relative;
        w.WriteStartObject("benchmark");
        w.WriteString("symbol", benchmark.Symbol.Value);
        w.WriteString("kind", "buy_and_hold");
        w.WriteNumber("final_equity", m.FinalEquity);
        BacktestReportWriter.WriteNumber(w, "total_return", m.TotalReturn);
        BacktestReportWriter.WriteNumber(w, "cagr", m.Cagr);
        BacktestReportWriter.WriteNumber(w, "annualized_volatility", m.AnnualizedVolatility);
        BacktestReportWriter.WriteNumber(w, "sharpe", m.Sharpe);
        BacktestReportWriter.WriteNumber(w, "max_drawdown", m.MaxDrawdown);
        w.WriteNumber("paired_days", r.Days);
        BacktestReportWriter.WriteNumber(w, "alpha", r.Alpha);
        BacktestReportWriter.WriteNumber(w, "beta", r.Beta);
        BacktestReportWriter.WriteNumber(w, "correlation", r.Correlation);
        BacktestReportWriter.WriteNumber(w, "tracking_error", r.TrackingError);
        BacktestReportWriter.WriteNumber(w, "information_ratio", r.InformationRatio);
        w.WriteEndObject();
    }

    /// <summary>Rows for a CLI or HTML table of the benchmark comparison, formatted like the metrics table.</summary>
    public static IReadOnlyList<MetricRow> BenchmarkTable(BenchmarkComparison benchmark)
    {
        ArgumentNullException.ThrowIfNull(benchmark);
        var m = benchmark.BuyAndHold;
        var r = benchmark.Relative;
        // As in the metrics table: the annualized figures of a run too short to annualize are not shown (beta and
        // correlation are not annualized).
        var tooShort = BacktestReportWriter.NotMeaningful(m);
        return
        [
            new($"{benchmark.Symbol} buy-and-hold return", BacktestReportWriter.FormatPercent(m.TotalReturn)),
            new($"{benchmark.Symbol} CAGR", tooShort ?? BacktestReportWriter.FormatPercent(m.Cagr)),
            new($"{benchmark.Symbol} max drawdown", BacktestReportWriter.FormatPercent(m.MaxDrawdown)),
            new("Alpha (annualized)", tooShort ?? BacktestReportWriter.FormatPercent(r.Alpha)),
            new("Beta", BacktestReportWriter.FormatRatio(r.Beta)),
            new("Correlation", BacktestReportWriter.FormatRatio(r.Correlation)),
            new("Tracking error", tooShort ?? BacktestReportWriter.FormatPercent(r.TrackingError)),
            new("Information ratio", tooShort ?? BacktestReportWriter.FormatRatio(r.InformationRatio)),
        ];
    }
}
