using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using AiTrader.Core.Domain;
using AiTrader.Core.Journal;
using AiTrader.Core.Sessions;
using AiTrader.Core.Tests.IO;
using AiTrader.Core.Tests.TestSupport;
using AiTrader.Storage;

namespace AiTrader.Core.Tests.Cli;

/// <summary><c>aitrader trade --paper --replay … --strategy mean_reversion --risk-agent fractional_kelly</c> on two symbols
/// sharing one account: each symbol's Kelly inputs come from its own round trips, never from the shared cash.</summary>
/// <remarks>
/// <para>Synthetic minute bars (CSV under <c>AITRADER_SAMPLE_DATA</c>) drift on a small sine around 100 that never
/// stretches z to −2. Every 36 minutes (after the signals' warm-up on the first day) a symbol's close drops to 98.60,
/// z far below −2: mean reversion buys at the next open, 98.60. In a winning dip the close is back at 99.70 on that bar,
/// so the trade exits at the next open, 99.90. In a losing dip the price slides for three bars (max_hold_bars 3) and the
/// exit fills at a lower open, 98.30 for AAA, 97.50 for BBB. AAA's 3rd, 7th, 11th and 15th dips lose and the other
/// twelve win; all sixteen of BBB's (18 minutes later) lose, so BBB, with no win and hence no payoff ratio, keeps
/// trading on the 1% fallback and keeps moving the cash. Read off that shared cash, BBB's fills would count as AAA's
/// trades: AAA would see no edge and stop entering.</para>
/// <para>Stops are 400 ATRs away (never hit), so Kelly, not the cash, sets the sizes. Each expected quantity is worked
/// out here: p and b from AAA's own journaled fills, f* = p − (1 − p)/b, a quarter of it (--risk-agent-fraction 0.25)
/// capped at 0.25 of the equity at the decision (cash after every fill so far plus both positions at their closes),
/// over the distance to the stop, and no more than the cash buys.</para>
/// </remarks>
[Trait("Category", "Cli")]
[Collection(Journal.EnvironmentCollection.Name)]
public sealed class TradeCliKellyTests : IDisposable
{
    private const decimal Initial = 100_000m;
    private const decimal Fraction = 0.25m;
    private const decimal Cap = 0.25m;
    private const int Minutes = 390;
    private static readonly DateOnly Day1 = new(2013, 10, 7);
    private static readonly DateOnly Day2 = new(2013, 10, 8);
    private static readonly Symbol A = new("AAA");
    private static readonly Symbol B = new("BBB");
    private static readonly int[] ALosingDips = [3, 7, 11, 15]; // 1-based over both days

    private static readonly string[] Variables = ["AITRADER_DATA_DIR", "AITRADER_SAMPLE_DATA", "DATABASE_URL"];

    private readonly Dictionary<string, string?> _saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
    private readonly TempDirectory _dir = new();
    private readonly Dictionary<(Symbol Symbol, DateTime Time), decimal> _closes = [];

    public TradeCliKellyTests()
    {
        var data = Path.Combine(_dir.Path, "data");
        var sample = Path.Combine(_dir.Path, "sample");
        Directory.CreateDirectory(Path.Combine(sample, "minute"));
        Directory.CreateDirectory(Path.Combine(sample, "daily"));
        WriteBars(sample, A, [96, 24], dip => ALosingDips.Contains(dip) ? 98.30m : null);
        WriteBars(sample, B, [114, 42], _ => 97.50m);
        Environment.SetEnvironmentVariable("AITRADER_DATA_DIR", data);
        Environment.SetEnvironmentVariable("AITRADER_SAMPLE_DATA", sample);
        Environment.SetEnvironmentVariable("DATABASE_URL", null);
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        _dir.Dispose();
    }

    private static Task<(int Code, string Out, string Err)> TradeAsync(string runId, DateOnly to) => CliRunner.Run(
        "trade", "--paper", "--replay", FormattableString.Invariant($"{Day1:yyyy-MM-dd}:{to:yyyy-MM-dd}"), "--symbols", "AAA,BBB",
        "--strategy", "mean_reversion", "--param", "regimes=calm|volatile|trending_up|trending_down", "--param", "max_hold_bars=3",
        "--param", "atr_multiplier=400", "--risk-agent", "fractional_kelly", "--risk-agent-fraction", "0.25", "--run-id", runId);

    [Fact]
    public async Task A_winning_symbols_kelly_size_comes_from_its_own_trades_not_the_other_symbols_losses()
    {
        var (code, _, err) = await TradeAsync("pair", Day2);
        Assert.True(code == 0, err);

        var run = await RunAsync("pair");
        var aTrades = RoundTrips(run.Fills, A);
        var bTrades = RoundTrips(run.Fills, B);
        Assert.Empty(run.Blocks);
        Assert.Equal(16, aTrades.Count);
        Assert.Equal(12, aTrades.Count(t => t.Pnl > 0));
        Assert.Equal(16, bTrades.Count);
        Assert.All(bTrades, t => Assert.True(t.Pnl < 0, $"BBB's trade closed at {t.ExitTime:O} made {t.Pnl}"));

        // Kelly needs ten closed trades of the symbol's own: until then AAA sizes on the 1% fallback, and so does BBB
        // throughout (no win, no payoff ratio).
        var aEntries = run.Entries.Where(e => e.Symbol == A).ToList();
        Assert.Equal(16, aEntries.Count);
        Assert.All(aEntries.Take(10), e => Assert.Contains("kelly: p and b missing, fell back to fixed 1% risk", e.Reason, StringComparison.Ordinal));
        Assert.All(run.Entries.Where(e => e.Symbol == B), e => Assert.Contains("fell back to fixed 1% risk", e.Reason, StringComparison.Ordinal));

        // From the 11th on, p and b are AAA's own; BBB's sixteen losses only lower the equity they are taken of.
        var kellySized = 0;
        foreach (var entry in aEntries.Skip(10))
        {
            var own = aTrades.Where(t => t.ExitTime <= entry.Timestamp).Select(t => t.Pnl).ToList();
            Assert.True(own.Count >= 10, $"AAA's entry at {entry.Timestamp:O} has only {own.Count} trades behind it");
            var (cash, equity) = Account(run.Fills, entry.Timestamp);
            var (shares, p, b) = HandKelly(own, equity, cash, entry.Price!.Value, StopOf(entry));
            Assert.True(shares == entry.Quantity, $"AAA at {entry.Timestamp:O}: hand Kelly {shares} shares (p {p:F4}, b {b:F4}), the loop sent {entry.Quantity}: {entry.Reason}");
            Assert.Contains(FormattableString.Invariant($"kelly: p {p:F2}, b {b:F2} (trades)"), entry.Reason, StringComparison.Ordinal);
            kellySized += shares < decimal.Floor(cash / entry.Price!.Value) ? 1 : 0;
        }

        Assert.True(kellySized >= 3, "Kelly, not the cash, should set most of AAA's sizes");
    }

    [Fact]
    public async Task A_run_resumed_the_next_day_learns_each_round_trip_of_the_first_day_once()
    {
        var (code, _, err) = await TradeAsync("resume", Day1);
        Assert.True(code == 0, err);
        var first = await RunAsync("resume");
        Assert.Equal(7, RoundTrips(first.Fills, A).Count); // fewer than the ten Kelly needs: a second count would show

        (code, var output, err) = await TradeAsync("resume", Day2);
        Assert.True(code == 0, err);
        Assert.Contains("resumed run resume", output, StringComparison.Ordinal);
        (code, _, err) = await TradeAsync("straight", Day2);
        Assert.True(code == 0, err);

        var resumed = await RunAsync("resume");
        var straight = await RunAsync("straight");
        Assert.Equal(straight.Entries.Select(e => (e.Timestamp, e.Symbol, e.Quantity, e.Reason)),
            resumed.Entries.Select(e => (e.Timestamp, e.Symbol, e.Quantity, e.Reason)));
        Assert.Equal(straight.Fills.Select(f => (f.Timestamp, f.Symbol, f.Side, f.Quantity, f.Price)),
            resumed.Fills.Select(f => (f.Timestamp, f.Symbol, f.Side, f.Quantity, f.Price)));

        // And the second day's Kelly sizes are the hand-worked ones, from both days' trades of AAA.
        var aTrades = RoundTrips(resumed.Fills, A);
        var day2 = resumed.Entries.Where(e => e.Symbol == A && ExchangeTime.SessionDate(e.Timestamp) == Day2).ToList();
        Assert.Equal(9, day2.Count);
        foreach (var entry in day2.Skip(3))
        {
            var own = aTrades.Where(t => t.ExitTime <= entry.Timestamp).Select(t => t.Pnl).ToList();
            var (cash, equity) = Account(resumed.Fills, entry.Timestamp);
            Assert.Equal(HandKelly(own, equity, cash, entry.Price!.Value, StopOf(entry)).Shares, entry.Quantity);
        }
    }

    /// <summary><see cref="Fraction"/> × Kelly from a symbol's own net P&amp;L list, capped at <see cref="Cap"/> of equity at
    /// risk, over the stop distance, and no more than the cash buys: the textbook sums.</summary>
    private static (decimal Shares, decimal P, decimal B) HandKelly(IReadOnlyList<decimal> ownPnls, decimal equity, decimal cash,
        decimal close, decimal stop)
    {
        var wins = ownPnls.Where(x => x > 0).ToList();
        var losses = ownPnls.Where(x => x < 0).ToList();
        var p = (decimal)wins.Count / (wins.Count + losses.Count);
        var b = wins.Sum() / wins.Count / (-losses.Sum() / losses.Count);
        var fullKelly = p - (1m - p) / b;
        Assert.True(fullKelly > 0, $"AAA should have an edge (p {p}, b {b})");
        var atRisk = Math.Min(Fraction * fullKelly, Cap);
        var shares = Math.Min(decimal.Floor(equity * atRisk / Math.Abs(close - stop)), decimal.Floor(cash / close));
        return (shares, p, b);
    }

    /// <summary>Cash after every fill up to <paramref name="at"/> (fees included) and the equity with both positions at their closes.</summary>
    private (decimal Cash, decimal Equity) Account(IReadOnlyList<JournalEntry> fills, DateTime at)
    {
        var cash = Initial;
        var positions = new Dictionary<Symbol, decimal> { [A] = 0m, [B] = 0m };
        foreach (var f in fills.Where(f => f.Timestamp <= at))
        {
            var value = f.Quantity!.Value * f.Price!.Value;
            cash += (f.Side == OrderSide.Sell ? value : -value) - Fee(f);
            positions[f.Symbol!.Value] += f.Side == OrderSide.Buy ? f.Quantity.Value : -f.Quantity.Value;
        }

        return (cash, cash + positions.Sum(kv => kv.Value * _closes[(kv.Key, at)]));
    }

    /// <summary>A symbol's round trips from its journaled fills: flat to flat, sells minus buys minus every fee.</summary>
    private static List<(DateTime ExitTime, decimal Pnl)> RoundTrips(IReadOnlyList<JournalEntry> fills, Symbol symbol)
    {
        var trades = new List<(DateTime, decimal)>();
        decimal position = 0, pnl = 0;
        foreach (var f in fills.Where(f => f.Symbol == symbol))
        {
            var value = f.Quantity!.Value * f.Price!.Value;
            pnl += (f.Side == OrderSide.Sell ? value : -value) - Fee(f);
            position += f.Side == OrderSide.Buy ? f.Quantity.Value : -f.Quantity.Value;
            if (position == 0)
            {
                trades.Add((f.Timestamp, pnl));
                pnl = 0;
            }
        }

        return trades;
    }

    private static decimal Fee(JournalEntry fill) => JsonNode.Parse(fill.Data!)!["fee"]!.GetValue<decimal>();

    private static decimal StopOf(JournalEntry decision) => JsonNode.Parse(decision.Data!)!["stop_price"]!.GetValue<decimal>();

    /// <summary>The run's journaled entry decisions, fills (in booking order) and blocks.</summary>
    private async Task<(List<JournalEntry> Entries, List<JournalEntry> Fills, List<JournalEntry> Blocks)> RunAsync(string runId)
    {
        await using var journal = JournalFactory.Create(null, Path.Combine(_dir.Path, "data"));
        var all = (await journal.QueryAsync(JournalQuery.All)).OrderBy(e => e.Id).ToList();
        var entries = all.Where(e => e.Kind == JournalKind.Decision && e.EventKey is { } k
            && k.StartsWith(runId + ":decision:", StringComparison.Ordinal) && k.EndsWith(":entry", StringComparison.Ordinal)).ToList();
        var fills = all.Where(e => e.Kind == JournalKind.Fill && e.ClientOrderId!.StartsWith(runId + "-", StringComparison.Ordinal)).ToList();
        var blocks = all.Where(e => e.Kind == JournalKind.Block && e.ClientOrderId!.StartsWith(runId + "-", StringComparison.Ordinal)).ToList();
        return (entries, fills, blocks);
    }

    /// <summary>Two sessions of minute bars for <paramref name="symbol"/>: a sine around 100 and a dip every 36 minutes
    /// from <paramref name="firstDip"/>; <paramref name="slideTo"/> gives a losing dip's low (null: the dip wins).</summary>
    private void WriteBars(string root, Symbol symbol, int[] firstDips, Func<int, decimal?> slideTo)
    {
        var csv = new StringBuilder("timestamp,open,high,low,close,volume\n");
        var dip = 0;
        foreach (var (date, firstDip) in new[] { Day1, Day2 }.Zip(firstDips))
        {
            var closes = new decimal[Minutes];
            var opens = new decimal?[Minutes];
            for (var i = 0; i < Minutes; i++)
            {
                closes[i] = 100m + Math.Round(0.05m * (decimal)Math.Sin(i * 2 * Math.PI / 7), 2);
            }

            for (var d = firstDip; d + 60 <= Minutes; d += 36) // every dip is over long before the close
            {
                dip++;
                closes[d] = 98.60m;
                opens[d + 1] = 98.60m;
                if (slideTo(dip) is not { } low)
                {
                    closes[d + 1] = 99.70m; // back towards the mean at once: the exit fills at the next open, 99.90
                    opens[d + 2] = 99.90m;
                    continue;
                }

                // Down for three bars (the holding limit), out at the next open, then straight back up.
                closes[d + 1] = low + 0.15m;
                closes[d + 2] = low + 0.05m;
                closes[d + 3] = low + 0.10m;
                opens[d + 4] = low;
                closes[d + 4] = 99.70m;
                opens[d + 5] = 99.90m;
            }

            var open = ExchangeTime.ToUtc(date, new TimeOnly(9, 30));
            for (var i = 0; i < Minutes; i++)
            {
                var o = opens[i] ?? (i == 0 ? closes[0] : closes[i - 1]);
                var c = closes[i];
                var t = open.AddMinutes(i);
                _closes[(symbol, t)] = c;
                csv.Append(CultureInfo.InvariantCulture, $"{t:yyyy-MM-dd'T'HH:mm:ss'Z'},{o},{Math.Max(o, c) + 0.01m},{Math.Min(o, c) - 0.01m},{c},100000\n");
            }
        }

        File.WriteAllText(Path.Combine(root, "minute", symbol.Value + ".csv"), csv.ToString());
    }
}
