using AiTrader.Core.Domain;

namespace AiTrader.Core.Backtesting.Portfolios;

/// <summary>One symbol's share of a portfolio run.</summary>
/// <param name="Symbol">The symbol.</param>
/// <param name="Bars">Bars seen (flagged included).</param>
/// <param name="SkippedBars">Flagged bars skipped.</param>
/// <param name="Trades">Trade statistics of the symbol's round trips (count, wins, losses, win rate, P&amp;L, fees);
/// the account-level fields of this record are not meaningful for one symbol and are not reported.</param>
/// <param name="Contribution">Net P&amp;L / the account's initial capital: the symbol's part of the total return (the
/// contributions add up to the portfolio's total return).</param>
/// <param name="EntriesCut">Entries the exposure limits cut to fewer shares.</param>
/// <param name="EntriesDropped">Entries the exposure limits dropped because nothing fit.</param>
public sealed record SymbolPerformance(
    Symbol Symbol,
    int Bars,
    int SkippedBars,
    PerformanceMetrics Trades,
    double Contribution,
    int EntriesCut,
    int EntriesDropped)
{
    /// <summary>Per-symbol rows for every symbol of <paramref name="result"/>, in the order the symbols were given.</summary>
    public static IReadOnlyList<SymbolPerformance> ForEach(PortfolioBacktestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var initial = result.Options.Account.InitialCapital;
        return result.Symbols.Select(symbol =>
        {
            var trades = result.Trades.Where(t => t.Symbol == symbol).ToList();
            // Reuse the calculator's trade statistics; with no equity curve it has nothing else to say.
            var stats = PerformanceCalculator.Compute(initial, [], trades);
            var events = result.LimitEvents.Where(e => e.Symbol == symbol).ToList();
            return new SymbolPerformance(
                symbol,
                result.BarCounts.GetValueOrDefault(symbol),
                result.SkippedBars.Count(s => s.Symbol == symbol),
                stats,
                (double)(stats.TotalPnl / initial),
                events.Count(e => !e.Dropped),
                events.Count(e => e.Dropped));
        }).ToList();
    }
}
