using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Portfolios;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.Core.Tests.Backtesting.Portfolios;

/// <summary>Checks of a portfolio run rebuilt from its fills and orders, independently of the engine's own bookkeeping.</summary>
internal static class PortfolioAssertions
{
    /// <summary>Replays the fills in booking order and fails if cash ever goes below zero.</summary>
    public static void CashNeverNegative(decimal initialCapital, IReadOnlyList<Fill> fills)
    {
        var cash = initialCapital;
        foreach (var f in fills)
        {
            cash -= (f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity) * f.Price + f.Fee;
            Assert.True(cash >= 0, $"cash went to {cash} after {f}");
        }
    }

    /// <summary>Long-only runs: at every decision time t, each symbol's held value plus the buys sent at t (priced at
    /// close_t plus the slippage, rounded as a fill price) stays within the symbol weight, and the account's sum within
    /// the gross limit, of the equity at t (cash plus positions at their last close).</summary>
    public static void EntriesWithinLimits(PortfolioBacktestResult result, IReadOnlyList<BarSeries> series)
    {
        var options = result.Options;
        var slip = 1m + options.Account.SlippageBps / 10_000m;
        var closes = series.ToDictionary(s => s.Symbol, s => s.Bars.ToDictionary(b => b.Timestamp, b => b.Close));
        var lastBar = series.ToDictionary(s => s.Symbol, s => s.Bars[^1].Timestamp);
        var endOfData = result.Orders.Where(o => o.Reason == ExitReasons.EndOfData).Select(o => (o.Symbol, o.Id)).ToHashSet();
        var lastClose = new Dictionary<Symbol, decimal>();
        var positions = new Dictionary<Symbol, decimal>();
        var cash = options.Account.InitialCapital;
        var fillIndex = 0;
        var checkedEntries = 0;

        foreach (var decision in result.Orders.Where(o => o.Type == OrderType.Market && o.Side == OrderSide.Buy)
                     .GroupBy(o => o.CreatedAt).OrderBy(g => g.Key))
        {
            var t = decision.Key;
            // Fills up to and including t, except the end-of-data closes that come after the decisions at t.
            while (fillIndex < result.Fills.Count && result.Fills[fillIndex].Timestamp <= t
                   && !(result.Fills[fillIndex].Timestamp == t && endOfData.Contains((result.Fills[fillIndex].Symbol, result.Fills[fillIndex].OrderId))))
            {
                var f = result.Fills[fillIndex++];
                var signed = f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity;
                cash -= signed * f.Price + f.Fee;
                positions[f.Symbol] = positions.GetValueOrDefault(f.Symbol) + signed;
            }

            foreach (var s in closes.Keys)
            {
                if (closes[s].TryGetValue(t, out var close))
                {
                    lastClose[s] = close;
                }
            }

            var equity = cash + positions.Sum(p => p.Value * lastClose[p.Key]);
            var held = positions.ToDictionary(p => p.Key, p => Math.Abs(p.Value * lastClose[p.Key]));
            var gross = held.Values.Sum();
            foreach (var order in decision.Where(o => lastBar[o.Symbol] != t))
            {
                // The engine prices the estimate like a fill: rounded to 4 decimals (it matters below $1 a share).
                var value = order.Quantity * Math.Round(closes[order.Symbol][t] * slip, 4, MidpointRounding.AwayFromZero);
                gross += value;
                checkedEntries++;
                if (options.MaxSymbolWeight is { } w)
                {
                    Assert.True(held.GetValueOrDefault(order.Symbol) + value <= w * equity + 0.01m,
                        $"{order.Symbol} at {t:O}: {held.GetValueOrDefault(order.Symbol) + value} > {w} × {equity}");
                }
            }

            if (options.MaxGrossExposure is { } g)
            {
                Assert.True(gross <= g * equity + 0.01m * decision.Count(), $"gross {gross} > {g} × {equity} at {t:O}");
            }
        }

        Assert.True(checkedEntries > 0, "no entries to check");
    }
}
