using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Tests.Reporting;

/// <summary>A small deterministic run for report tests: weekday daily bars, a hand-built equity curve and trades.</summary>
internal static class ReportFixtures
{
    public const decimal InitialCapital = 100_000m;

    public static (IReadOnlyList<Bar> Bars, IReadOnlyList<EquityPoint> Equity, IReadOnlyList<TradeRecord> Trades) Run(
        int bars = 300, int trades = 3)
    {
        var list = new List<Bar>();
        var equity = new List<EquityPoint>();
        var date = new DateOnly(2021, 1, 4);
        for (var i = 0; i < bars; i++)
        {
            while (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                date = date.AddDays(1);
            }

            var ts = ExchangeTime.ToUtc(date, new TimeOnly(9, 30));
            var close = Math.Round(100m + i * 0.1m + (decimal)Math.Sin(i / 7.0) * 5m, 2);
            list.Add(new Bar(ts, close, close + 1, close - 1, close, 1_000_000));
            var value = InitialCapital + Math.Round((decimal)Math.Sin(i / 11.0) * 3_000m + i * 20m, 2);
            equity.Add(new EquityPoint(ts, value, i % 3 == 0 ? 0 : value / 2));
            date = date.AddDays(1);
        }

        var tradeList = new List<TradeRecord>();
        for (var k = 0; k < trades; k++)
        {
            var entry = list[(k * 40 + 10) % list.Count];
            var exit = list[Math.Min(list.Count - 1, (k * 40 + 30) % list.Count)];
            var pnl = (exit.Close - entry.Close) * 100 - 2m;
            tradeList.Add(new TradeRecord(new Symbol("SPY"), PositionSide.Long, 100, entry.Timestamp, entry.Close,
                exit.Timestamp, exit.Close, pnl, 2m, k % 2 == 0 ? ExitReasons.Stop : ExitReasons.Signal));
        }

        return (list, equity, tradeList);
    }

    public static BacktestResult Result(IReadOnlyList<EquityPoint> equity, IReadOnlyList<TradeRecord> trades) =>
        new(new Symbol("SPY"), "breakout", new ExchangeOptions(InitialCapital), trades, equity, [], [], [],
            equity.Count > 0 ? equity[^1].Equity : InitialCapital);

    public static BacktestRunInfo Info(string symbol = "SPY", IReadOnlyList<string>? warnings = null) =>
        new(symbol, "breakout", "1Day", new DateTime(2021, 1, 1), new DateTime(2022, 6, 30), "split",
            new Dictionary<string, string> { ["lookback"] = "20" }, warnings ?? []);
}
