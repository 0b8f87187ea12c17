namespace AiTrader.Core.Backtesting;

/// <summary>What was run: the run's identity and settings, recorded in summary.json next to the metrics.</summary>
/// <param name="Symbol">Ticker traded, e.g. AAPL.</param>
/// <param name="Strategy">Strategy name as given on the command line.</param>
/// <param name="Interval">Bar interval, e.g. 1Day or 5Min.</param>
/// <param name="Start">Requested start (UTC instant, or an unspecified-kind date at midnight meaning a calendar date).</param>
/// <param name="End">Requested end, same convention as <paramref name="Start"/>.</param>
/// <param name="Adjustment">Price adjustment of the bars, e.g. raw, split or all.</param>
/// <param name="Parameters">Strategy parameters by name, as text.</param>
/// <param name="Warnings">Anything the user should know about the run (data gaps, clipped ranges…).</param>
public sealed record BacktestRunInfo(
    string Symbol,
    string Strategy,
    string Interval,
    DateTime? Start,
    DateTime? End,
    string Adjustment,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<string> Warnings);
