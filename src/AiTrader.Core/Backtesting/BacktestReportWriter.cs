using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;

namespace AiTrader.Core.Backtesting;

/// <summary>Paths of the three report files written by <see cref="BacktestReportWriter.Write"/>.</summary>
public sealed record BacktestReportFiles(string TradesCsv, string EquityCsv, string SummaryJson);

/// <summary>One line of the human-readable metrics table: a label and its formatted value.</summary>
public sealed record MetricRow(string Name, string Value);

/// <summary>Writes a backtest's trades.csv, equity.csv and summary.json, each atomically, and formats metrics for display.</summary>
/// <remarks>All three files are rendered in memory before anything touches the disk, so bad input (a non-UTC
/// timestamp, a failing collection) leaves the previous report untouched. Each file is then replaced atomically,
/// summary.json last, so a present summary.json means its trades.csv and equity.csv are complete.</remarks>
public static class BacktestReportWriter
{
    public const string TradesFileName = "trades.csv";
    public const string EquityFileName = "equity.csv";
    public const string SummaryFileName = "summary.json";

    public const string TradesHeader =
        "symbol,side,quantity,entry_time,entry_price,exit_time,exit_price,pnl,fees,exit_reason";

    public const string EquityHeader = "timestamp,equity";

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Writes the three report files into <paramref name="directory"/> (created if missing), replacing old ones.</summary>
    /// <param name="timeProvider">Clock for <c>generated_at</c>; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="extraSections">Writes more properties at the end of summary.json's top-level object (a portfolio
    /// run's per-symbol and benchmark sections); null for none.</param>
    public static BacktestReportFiles Write(string directory, BacktestRunInfo info, decimal initialCapital,
        IReadOnlyList<TradeRecord> trades, IReadOnlyList<EquityPoint> equity, PerformanceMetrics metrics,
        TimeProvider? timeProvider = null, Action<Utf8JsonWriter>? extraSections = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(trades);
        ArgumentNullException.ThrowIfNull(equity);
        ArgumentNullException.ThrowIfNull(metrics);
        if (metrics.InitialCapital != initialCapital)
        {
            throw new ArgumentException(
                $"Metrics were computed for initial capital {metrics.InitialCapital}, not {initialCapital}.",
                nameof(metrics));
        }

        var generatedAt = (timeProvider ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        var tradesCsv = RenderTradesCsv(trades);
        var summaryJson = RenderSummaryJson(info, initialCapital, metrics, generatedAt, extraSections);

        var files = new BacktestReportFiles(
            Path.GetFullPath(Path.Combine(directory, TradesFileName)),
            Path.GetFullPath(Path.Combine(directory, EquityFileName)),
            Path.GetFullPath(Path.Combine(directory, SummaryFileName)));

        // equity.csv (one row per bar, tens of MB) is formatted straight to UTF-8 into its temporary file instead of a
        // string; every file is staged before any is renamed, so bad input still leaves the previous report untouched.
        using var equityFile = AtomicFile.Stage(files.EquityCsv, stream => WriteEquityCsv(stream, equity));
        using var tradesFile = AtomicFile.Stage(files.TradesCsv, stream => stream.Write(Encoding.UTF8.GetBytes(tradesCsv)));
        using var summaryFile = AtomicFile.Stage(files.SummaryJson, stream => stream.Write(Encoding.UTF8.GetBytes(summaryJson)));
        tradesFile.Commit();
        equityFile.Commit();
        summaryFile.Commit();
        return files;
    }

    /// <summary>Writes equity.csv (the content of <see cref="RenderEquityCsv"/>) to <paramref name="stream"/> as UTF-8.</summary>
    public static void WriteEquityCsv(Stream stream, IReadOnlyList<EquityPoint> equity)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(equity);
        using var csv = new Utf8CsvWriter(stream);
        csv.Text(EquityHeader).NewLine();
        foreach (var chunk in EquityChunks.Of(equity))
        {
            foreach (var p in chunk.Span)
            {
                csv.Timestamp(p.Timestamp).Comma().Decimal(p.Equity).NewLine();
            }
        }
    }

    /// <summary>trades.csv content: <see cref="TradesHeader"/> then one line per trade, "\n" line endings.</summary>
    public static string RenderTradesCsv(IReadOnlyList<TradeRecord> trades)
    {
        var sb = new StringBuilder().Append(TradesHeader).Append('\n');
        foreach (var t in trades)
        {
            sb.Append(CsvField(t.Symbol.Value)).Append(',')
                .Append(t.Side == PositionSide.Long ? "long" : "short").Append(',')
                .Append(FormatDecimal(t.Quantity)).Append(',')
                .Append(FormatTimestamp(t.EntryTime)).Append(',')
                .Append(FormatDecimal(t.EntryPrice)).Append(',')
                .Append(FormatTimestamp(t.ExitTime)).Append(',')
                .Append(FormatDecimal(t.ExitPrice)).Append(',')
                .Append(FormatDecimal(t.Pnl)).Append(',')
                .Append(FormatFee(t.Fees)).Append(',')
                .Append(CsvField(t.ExitReason)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>equity.csv content: <see cref="EquityHeader"/> then one line per equity point.</summary>
    public static string RenderEquityCsv(IReadOnlyList<EquityPoint> equity)
    {
        // One formatter for both forms: the file's UTF-8 bytes (no BOM), decoded.
        using var buffer = new MemoryStream();
        WriteEquityCsv(buffer, equity);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>summary.json content: run info, <c>generated_at</c>, every metric under a snake_case key, then
    /// whatever <paramref name="extraSections"/> writes.</summary>
    public static string RenderSummaryJson(BacktestRunInfo info, decimal initialCapital, PerformanceMetrics m,
        DateTime generatedAtUtc, Action<Utf8JsonWriter>? extraSections = null)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            // The file is read by people and tools, never embedded in HTML, so keep '+', '<', 'é' readable.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }))
        {
            w.WriteStartObject();
            w.WriteString("symbol", info.Symbol);
            w.WriteString("strategy", info.Strategy);
            w.WriteString("interval", info.Interval);
            WriteStringOrNull(w, "start", info.Start is { } s ? FormatRunBoundary(s) : null);
            WriteStringOrNull(w, "end", info.End is { } e ? FormatRunBoundary(e) : null);
            w.WriteString("adjustment", info.Adjustment);
            w.WriteStartObject("parameters");
            foreach (var (key, value) in info.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
            w.WriteStartArray("warnings");
            foreach (var warning in info.Warnings)
            {
                w.WriteStringValue(warning);
            }

            w.WriteEndArray();
            w.WriteString("generated_at", FormatTimestamp(generatedAtUtc));

            w.WriteNumber("initial_capital", initialCapital);
            w.WriteNumber("final_equity", m.FinalEquity);
            w.WriteNumber("net_profit", m.NetProfit);
            WriteNumber(w, "total_return", m.TotalReturn);
            WriteNumber(w, "cagr", m.AnnualizedMeaningful ? m.Cagr : null);
            w.WriteNumber("trading_days", m.TradingDays);
            w.WriteBoolean("annualized_meaningful", m.AnnualizedMeaningful);
            WriteNumber(w, "mean_daily_return", m.MeanDailyReturn);
            WriteNumber(w, "daily_volatility", m.DailyVolatility);
            WriteNumber(w, "annualized_volatility", m.AnnualizedVolatility);
            WriteNumber(w, "risk_free_rate", m.RiskFreeRate);
            WriteNumber(w, "sharpe", m.Sharpe);
            WriteNumber(w, "downside_deviation", m.DownsideDeviation);
            WriteNumber(w, "sortino", m.Sortino);
            WriteNumber(w, "max_drawdown", m.MaxDrawdown);
            WriteStringOrNull(w, "max_drawdown_peak_date", FormatDate(m.MaxDrawdownPeakDate));
            WriteStringOrNull(w, "max_drawdown_trough_date", FormatDate(m.MaxDrawdownTroughDate));
            WriteStringOrNull(w, "max_drawdown_recovery_date", FormatDate(m.MaxDrawdownRecoveryDate));
            w.WriteNumber("max_drawdown_duration_days", m.MaxDrawdownDurationDays);
            WriteNumber(w, "calmar", m.AnnualizedMeaningful ? m.Calmar : null);
            w.WriteNumber("trades", m.Trades);
            w.WriteNumber("wins", m.Wins);
            w.WriteNumber("losses", m.Losses);
            WriteNumber(w, "win_rate", m.WinRate);
            w.WriteNumber("total_pnl", m.TotalPnl);
            w.WriteNumber("gross_profit", m.GrossProfit);
            w.WriteNumber("gross_loss", m.GrossLoss);
            WriteNumber(w, "average_win", m.AverageWin);
            WriteNumber(w, "average_loss", m.AverageLoss);
            WriteNumber(w, "payoff_ratio", m.PayoffRatio);
            WriteNumber(w, "profit_factor", m.ProfitFactor);
            WriteNumber(w, "largest_win", m.LargestWin);
            WriteNumber(w, "largest_loss", m.LargestLoss);
            // Days as a number: a TimeSpan string ("1.02:03:04") is awkward for every consumer but .NET.
            WriteNumber(w, "average_holding_period_days", m.AverageHoldingPeriod?.TotalDays);
            w.WriteNumber("total_fees", m.TotalFees);
            WriteNumber(w, "exposure", m.Exposure);
            WriteNumber(w, "average_gross_exposure", m.AverageGrossExposure);
            extraSections?.Invoke(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>What a table shows instead of an annualized figure of a run too short to annualize (null when it is long
    /// enough): a week's return raised to the 36th power is not a growth rate.</summary>
    public static string? NotMeaningful(PerformanceMetrics m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return m.AnnualizedMeaningful ? null : $"not meaningful ({m.TradingDays.ToString(Inv)} trading days)";
    }

    /// <summary>Rows for a CLI table: percentages as <c>12.34%</c>, ratios as <c>1.23</c>, money as <c>$101,234.56</c>,
    /// undefined values as <c>n/a</c>.</summary>
    public static IReadOnlyList<MetricRow> MetricsTable(PerformanceMetrics m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var tooShort = NotMeaningful(m);
        return
        [
            new("Initial capital", FormatMoney(m.InitialCapital)),
            new("Final equity", FormatMoney(m.FinalEquity)),
            new("Net profit", FormatMoney(m.NetProfit)),
            new("Total return", FormatPercent(m.TotalReturn)),
            new("CAGR", tooShort ?? FormatPercent(m.Cagr)),
            new("Annualized volatility", tooShort ?? FormatPercent(m.AnnualizedVolatility)),
            new("Risk-free rate", FormatPercent(m.RiskFreeRate)),
            new("Sharpe", tooShort ?? FormatRatio(m.Sharpe)),
            new("Sortino", tooShort ?? FormatRatio(m.Sortino)),
            new("Max drawdown", FormatPercent(m.MaxDrawdown)),
            new("Max drawdown peak", FormatDate(m.MaxDrawdownPeakDate) ?? "n/a"),
            new("Max drawdown trough", FormatDate(m.MaxDrawdownTroughDate) ?? "n/a"),
            new("Max drawdown recovery", FormatDate(m.MaxDrawdownRecoveryDate)
                ?? (m.MaxDrawdown > 0 ? "not recovered" : "n/a")),
            // Durations count calendar days between session dates, so a dip that starts and ends (or is still open) on
            // one date is 0 days long: say "under 1 day" rather than "0 days" beside a drawdown that exists.
            new("Longest drawdown", m.MaxDrawdownDurationDays == 0 && m.MaxDrawdown > 0
                ? "under 1 day"
                : FormatDays(m.MaxDrawdownDurationDays)),
            new("Calmar", tooShort ?? FormatRatio(m.Calmar)),
            new("Trading days", m.TradingDays.ToString(Inv)),
            new("Trades", m.Trades.ToString(Inv)),
            new("Wins / losses", $"{m.Wins.ToString(Inv)} / {m.Losses.ToString(Inv)}"),
            new("Win rate", FormatPercent(m.WinRate)),
            new("Average win", FormatMoney(m.AverageWin)),
            new("Average loss", FormatMoney(m.AverageLoss)),
            new("Payoff ratio", FormatRatio(m.PayoffRatio)),
            new("Profit factor", FormatRatio(m.ProfitFactor)),
            new("Largest win", FormatMoney(m.LargestWin)),
            new("Largest loss", FormatMoney(m.LargestLoss)),
            new("Average holding period", FormatDuration(m.AverageHoldingPeriod)),
            new("Total fees", FormatMoney(m.TotalFees)),
            new("Exposure (time in market)", FormatPercent(m.Exposure)),
            new("Average gross exposure", FormatPercent(m.AverageGrossExposure)),
        ];
    }

    /// <summary>A fee with four decimals at least (<c>1.0000</c>, <c>2.7000</c>, <c>0.0035</c> per share × 1 share), more
    /// only when the exact amount has them, so a fee column reads with one precision instead of <c>2.700</c> beside
    /// <c>2.00</c>; the value is the exact booked decimal, never rounded.</summary>
    public static string FormatFee(decimal fee) => fee.ToString("0.0000##########################", Inv);

    /// <summary>Invariant decimal with its natural scale (<c>123.4500</c>), never exponent notation or group separators.</summary>
    public static string FormatDecimal(decimal value) => value.ToString(Inv);

    /// <summary>UTC ISO-8601 to the second, <c>yyyy-MM-ddTHH:mm:ssZ</c>. Rejects non-UTC values rather than guess a zone.</summary>
    public static string FormatTimestamp(DateTime utc)
    {
        if (utc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"Expected a UTC timestamp, got {utc:O} with Kind={utc.Kind}.", nameof(utc));
        }

        return utc.ToString(TimestampFormat, Inv);
    }

    /// <summary>Quotes a CSV field per RFC 4180 when it holds a comma, quote or line break.</summary>
    public static string CsvField(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.AsSpan().IndexOfAny(",\"\r\n") < 0 ? value : $"\"{value.Replace("\"", "\"\"")}\"";
    }

    /// <summary><c>12.34%</c> for 0.1234; <c>n/a</c> for null or non-finite.</summary>
    public static string FormatPercent(double? fraction) =>
        fraction is { } f && double.IsFinite(f) ? (f * 100).ToString("0.00", Inv) + "%" : "n/a";

    /// <summary><c>1.23</c>; <c>n/a</c> for null or non-finite.</summary>
    public static string FormatRatio(double? ratio) =>
        ratio is { } r && double.IsFinite(r) ? r.ToString("0.00", Inv) : "n/a";

    /// <summary><c>$101,234.56</c> or <c>-$1,234.50</c>; <c>n/a</c> for null.</summary>
    public static string FormatMoney(decimal? amount) => amount switch
    {
        null => "n/a",
        < 0 => "-$" + (-amount.Value).ToString("#,##0.00", Inv),
        _ => "$" + amount.Value.ToString("#,##0.00", Inv),
    };

    private static string FormatDays(int days) => days == 1 ? "1 day" : $"{days.ToString(Inv)} days";

    private static string FormatDuration(TimeSpan? span) => span switch
    {
        null => "n/a",
        { TotalDays: >= 1 } s => s.TotalDays.ToString("0.0", Inv) + " days",
        { TotalHours: >= 1 } s => s.TotalHours.ToString("0.0", Inv) + " hours",
        { } s => s.TotalMinutes.ToString("0", Inv) + " min",
    };

    internal static string? FormatDate(DateOnly? date) => date?.ToString("yyyy-MM-dd", Inv);

    // A run boundary is either an instant (UTC) or a calendar date typed by the user (unspecified kind, midnight).
    private static string FormatRunBoundary(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => FormatTimestamp(value),
        DateTimeKind.Local => FormatTimestamp(value.ToUniversalTime()),
        _ when value.TimeOfDay == TimeSpan.Zero => value.ToString("yyyy-MM-dd", Inv),
        _ => value.ToString("yyyy-MM-dd'T'HH:mm:ss", Inv),
    };

    internal static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    // JSON has no NaN or infinity; an undefined statistic is null.
    internal static void WriteNumber(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    internal static void WriteNumber(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
