using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Portfolios;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk;
using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Strategies;
using AiTrader.Core.Tests.Strategies;
using static AiTrader.Core.Tests.Backtesting.TestBars;
using static AiTrader.Core.Tests.Strategies.ScriptedSignals;

namespace AiTrader.Core.Tests.Backtesting.Portfolios;

/// <summary>Half Kelly on a shared account: each symbol learns its win rate and payoff ratio from its own round trips
/// only, and sizes against the whole account. Every expected size is worked out here from the trades, not by the sizer.</summary>
/// <remarks>
/// Mean reversion with z_window 4 and scripted filtered prices (every close is 100, residual r = 100 − filtered), ATR
/// 20, k 3: every stop sits 60 below the entry. The residuals repeat +1, −1, +1, −1, −3, +1. At the −3 the window
/// (+1, −1, +1, −1) gives σ = √(4/3) and z = −2.60: an entry. At the next +1 the window (−1, +1, −1, −3) gives σ = √(8/3)
/// and z = +0.61 ≥ 0: the exit. No other bar reaches z ≤ −2. A's cycle starts at bar 0, B's three bars later, so A
/// decides at bars 4, 10, 16, …, fills at the next open and exits at the open after; B decides at 7, 13, 19, ….
/// Entries fill at the open 100, so with no costs every close marks positions at cost and the account equity at a
/// decision is 100,000 plus the P&amp;L closed so far, A's and B's. An exit fills at the open of its bar, which moves per
/// share by AMoves (A: +2 or −1) and BMoves (B: +1 or −20).
/// </remarks>
public class PortfolioKellySizingTests
{
    private const decimal Fraction = 0.5m;
    private const decimal Cap = 0.25m;
    private const decimal RiskPerShare = 60m; // k 3 × ATR 20
    private const decimal Initial = 100_000m;

    private static readonly ExchangeOptions NoCosts = new(SlippageBps: 0m, CommissionPerShare: 0m, MinCommission: 0m);
    private static readonly double[] Residuals = [1, -1, 1, -1, -3, 1];

    // A: 6 wins of +2 and 4 losses of −1 in its first ten trades (p 0.6, b 2), then a win, a loss and a win.
    private static readonly decimal[] AMoves = [2, -1, 2, 2, -1, 2, -1, 2, 2, -1, 2, -1, 2];

    // B: 3 wins of +1 and 7 losses of −20 (p 0.3, b 16/320 = 0.05: no edge, so B stops after its tenth trade).
    private static readonly decimal[] BMoves = [-20, -20, 1, -20, -20, 1, -20, -20, 1, -20, -20, -20];

    private const int Bars = 6 * 13 + 4; // A's 13th entry is decided at bar 76 and exits at bar 78

    [Fact]
    public void Each_symbol_sizes_from_its_own_trades_and_the_shared_equity()
    {
        var a = Leg("A", shift: 0, AMoves);
        var b = Leg("B", shift: 3, BMoves);

        var result = new PortfolioBacktestEngine(HalfKelly()).Run([a, b]);

        var aTrades = result.Trades.Where(t => t.Symbol == new Symbol("A")).ToList();
        var bTrades = result.Trades.Where(t => t.Symbol == new Symbol("B")).ToList();
        Assert.Equal(13, aTrades.Count);
        Assert.Equal(10, bTrades.Count);
        Assert.Equal(AMoves, aTrades.Select(t => t.ExitPrice - t.EntryPrice));
        Assert.Equal(BMoves.Take(10), bTrades.Select(t => t.ExitPrice - t.EntryPrice));

        // The first ten entries of each symbol have no history of their own: 1% fallback, floor(E × 0.01 / 60) = 16
        // for any E in [96,000, 102,000), reported exactly as a single-symbol run reports it.
        var aEntries = Entries(result, "A");
        var bEntries = Entries(result, "B");
        Assert.Equal(13, aEntries.Count);
        Assert.Equal(10, bEntries.Count);
        foreach (var entry in aEntries.Take(10).Concat(bEntries))
        {
            Assert.Equal(16m, entry.Quantity);
            Assert.EndsWith("; size: kelly: p and b missing, fell back to fixed 1% risk: 16 shares", entry.Reason);
        }

        // A's 11th entry (decided at bar 64): A's own trades 6 × (+2 × 16) and 4 × (−1 × 16): p = 0.6, b = 32 / 16 = 2;
        // f* = 0.6 − 0.4 / 2 = 0.4; half Kelly 0.2 of equity at risk. B's ten trades closed by then lost
        // 3 × 16 − 7 × 320 = −2,192, A's made +128: E = 97,936 and floor(97,936 × 0.2 / 60) = floor(326.45) = 326.
        Assert.Equal(326m, aEntries[10].Quantity);
        Assert.EndsWith("; size: kelly: p 0.60, b 2.00 (trades) → f* 0.4000 × 0.5 = 0.2000 of equity at risk: 326 shares",
            aEntries[10].Reason);

        // A's 12th (bar 70): 7 wins (6 × 32 + 2 × 326 = 844), 4 losses (64): p = 7/11, b = (844/7) / 16 = 7.54;
        // f* = 0.5881, half 0.2941 > cap 0.25. E = 97,936 + 652 = 98,588: floor(98,588 × 0.25 / 60) = floor(410.78) = 410.
        Assert.Equal(410m, aEntries[11].Quantity);
        Assert.Contains("capped at 0.25 of equity at risk: 410 shares", aEntries[11].Reason);

        // Every Kelly-sized entry of A against the same sums, worked out from the trades closed before it.
        for (var k = 10; k < aEntries.Count; k++)
        {
            var decidedAt = aEntries[k].CreatedAt;
            var own = aTrades.Where(t => t.ExitTime <= decidedAt).Select(t => t.Pnl).ToList();
            var equity = Initial + result.Trades.Where(t => t.ExitTime <= decidedAt).Sum(t => t.Pnl);
            Assert.Equal(HandKellyShares(own, equity), aEntries[k].Quantity);
        }

        // B: p = 3/10, b = 16 / 320 = 0.05; f* = 0.3 − 0.7 / 0.05 = −13.7: no edge, and its later signals send nothing.
        Assert.Contains(result.Rejections, r => r.Symbol == new Symbol("B") && r.Rule == "sizing"
            && r.Reason.EndsWith("(kelly: p 0.30, b 0.05 (trades) → f* -13.7000 ≤ 0: no edge, 0 shares)", StringComparison.Ordinal));
        Assert.Equal(Initial + result.Trades.Sum(t => t.Pnl), result.FinalEquity);
    }

    [Fact]
    public void Another_symbols_losses_move_the_equity_a_symbol_sizes_against_but_not_its_win_rate_or_payoff()
    {
        var withB = new PortfolioBacktestEngine(HalfKelly())
            .Run([Leg("A", 0, AMoves), Leg("B", 3, BMoves)]);
        var alone = new PortfolioBacktestEngine(HalfKelly()).Run([Leg("A", 0, AMoves)]);

        var shared = Entries(withB, "A");
        var solo = Entries(alone, "A");

        // Alone, E at A's 11th decision is 100,128: floor(100,128 × 0.2 / 60) = floor(333.76) = 333 shares; next to B's
        // losses it is 97,936 and 326 shares. The Kelly inputs (p, b, f*) are the same text either way.
        Assert.Equal(333m, solo[10].Quantity);
        Assert.Equal(326m, shared[10].Quantity);
        Assert.Equal(KellyInputs(solo[10].Reason), KellyInputs(shared[10].Reason));
        Assert.Equal("kelly: p 0.60, b 2.00 (trades) → f* 0.4000", KellyInputs(shared[10].Reason));

        // Later entries' p and b differ only through A's own (different-sized) trades; recomputed from A's trades alone.
        foreach (var (result, entries) in new[] { (withB, shared), (alone, solo) })
        {
            var own = result.Trades.Where(t => t.Symbol == new Symbol("A")).ToList();
            foreach (var entry in entries.Skip(10))
            {
                var pnls = own.Where(t => t.ExitTime <= entry.CreatedAt).Select(t => t.Pnl).ToList();
                var wins = pnls.Where(p => p > 0).ToList();
                var losses = pnls.Where(p => p < 0).ToList();
                var p = (decimal)wins.Count / pnls.Count;
                var b = wins.Average() / -losses.Average();
                Assert.Contains(FormattableString.Invariant($"kelly: p {p:F2}, b {b:F2} (trades)"), entry.Reason);
            }
        }
    }

    [Fact]
    public void A_lone_symbol_sizes_and_reports_exactly_as_a_single_symbol_run()
    {
        var leg = Leg("A", 0, AMoves);
        var single = new BacktestEngine(NoCosts, HalfKelly().Routing).Run(leg.Series, Leg("A", 0, AMoves).Strategy);
        var portfolio = new PortfolioBacktestEngine(HalfKelly()).Run([leg]);

        Assert.Equal(13, single.Trades.Count);
        Assert.Equal(single.Orders, portfolio.Orders);
        Assert.Equal(single.Trades, portfolio.Trades);
        Assert.Equal(single.FinalEquity, portfolio.FinalEquity);
    }

    [Fact]
    public void The_exposure_limits_cut_a_kelly_sized_entry_and_say_so()
    {
        var options = HalfKelly() with { MaxSymbolWeight = 0.25m };

        var result = new PortfolioBacktestEngine(options).Run([Leg("A", 0, AMoves), Leg("B", 3, BMoves)]);

        // Kelly asks 326 (as above; the 16-share fallback entries are 1,600 each, well inside the limit). The symbol
        // room is 0.25 × 97,936 = 24,484: floor(24,484 / 100) = 244 shares.
        var entry = Entries(result, "A")[10];
        Assert.Equal(244m, entry.Quantity);
        Assert.EndsWith("f* 0.4000 × 0.5 = 0.2000 of equity at risk: 326 shares; cut to 244 shares by max_symbol_weight",
            entry.Reason);
        Assert.Equal(new ExposureLimitEvent(entry.CreatedAt, "A", 326m, 244m, ExposureLimitNames.MaxSymbolWeight),
            result.LimitEvents[0]);
    }

    /// <summary>Half Kelly, capped, to a stop 60 away, from a symbol's own net P&amp;L list: the textbook sums.</summary>
    private static decimal HandKellyShares(IReadOnlyList<decimal> ownPnls, decimal equity)
    {
        var wins = ownPnls.Where(p => p > 0).ToList();
        var losses = ownPnls.Where(p => p < 0).ToList();
        var p = (decimal)wins.Count / (wins.Count + losses.Count);
        var b = wins.Sum() / wins.Count / (-losses.Sum() / losses.Count);
        var fullKelly = p - (1m - p) / b;
        var atRisk = Math.Min(Fraction * fullKelly, Cap);
        return Math.Min(decimal.Floor(equity * atRisk / RiskPerShare), decimal.Floor(equity / 100m));
    }

    private static string KellyInputs(string reason)
    {
        var start = reason.IndexOf("kelly: ", StringComparison.Ordinal);
        var end = reason.IndexOf(" × ", start, StringComparison.Ordinal);
        return reason[start..end];
    }

    private static List<Order> Entries(PortfolioBacktestResult result, string symbol) =>
        result.Orders.Where(o => o.Symbol == new Symbol(symbol) && o.Type == OrderType.Market && o.Side == OrderSide.Buy)
            .ToList();

    private static PortfolioBacktestOptions HalfKelly() =>
        new(NoCosts, Sizing: new SizingOptions(KellyFraction: Fraction, KellyCap: Cap));

    /// <summary>A mean-reversion leg (sized by half Kelly, 1% fallback, in <see cref="HalfKelly"/>) whose n-th exit fills at 100 + moves[n].</summary>
    private static PortfolioLeg Leg(string symbol, int shift, decimal[] moves)
    {
        var bars = new List<Bar>(Bars);
        var signals = new StrategySignal[Bars];
        var exits = 0;
        for (var i = 0; i < Bars; i++)
        {
            var phase = (i + shift) % 6;
            // Exits fill at the open of the bar after the exit decision (phase 5), i.e. at phase 0 after an entry.
            var open = phase == 0 && i >= 6 && exits < moves.Length ? 100m + moves[exits++] : 100m;
            bars.Add(Bar(i, open, Math.Max(open, 100m), Math.Min(open, 100m), 100m));
            signals[i] = Ready(0.5, MarketRegime.Calm, atr: 20.0, filtered: 100.0 - Residuals[phase]);
        }

        var parameters = new MeanReversionParameters { ZWindow = 4 };
        var strategy = new MeanReversionStrategy(parameters, new ScriptedSignals(signals));
        return new PortfolioLeg(new BarSeries(symbol, Timeframe.OneDay, bars, []), strategy);
    }
}
