using System.Globalization;
using System.Text.Json;
using AiTrader.Core.Journal;
using AiTrader.Core.Tests.Journal;
using AiTrader.Core.Tests.TestSupport;
using AiTrader.Storage;

namespace AiTrader.Core.Tests.Execution;

/// <summary>The issue's "done when": a backtest and a paper replay of the same week, both at their defaults, fill the same
/// orders at the same times, prices and quantities; only the backtest closes what is still open when its data ends.</summary>
[Trait("Category", "Cli")]
[Collection(EnvironmentCollection.Name)]
public sealed class BacktestPaperParityTests : IDisposable
{
    private readonly IsolatedStateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Backtest_and_paper_replay_of_spy_ibm_bac_minute_bars_fill_the_same_orders()
    {
        var outDir = Path.Combine(_state.Path, "backtest");
        var (code, _, err) = await CliRunner.Run("backtest", "--symbols", "SPY,IBM,BAC", "--interval", "1Min",
            "--start", "2013-10-07", "--end", "2013-10-11", "--quiet", "--out", outDir);
        Assert.True(code == 0, err);
        (code, var output, err) = await CliRunner.Run("trade", "--paper", "--replay", "2013-10-07:2013-10-11",
            "--symbols", "SPY,IBM,BAC", "--interval", "1Min");
        Assert.True(code == 0, err);

        // The backtest's fills, without the closes at the end of its data (orders whose reason is end_of_data).
        var endOfData = File.ReadAllLines(Path.Combine(outDir, "orders.csv")).Skip(1)
            .Select(l => l.Split(',')).Where(o => o[12] == "end_of_data").Select(o => o[0]).ToHashSet(); // the reason column
        var backtest = File.ReadAllLines(Path.Combine(outDir, "fills.csv")).Skip(1).Select(l => l.Split(','))
            .Where(f => !endOfData.Contains(f[2]))
            .Select(f => (Time: DateTime.Parse(f[0], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal), Symbol: f[1],
                Side: f[3], Quantity: decimal.Parse(f[4], CultureInfo.InvariantCulture), Price: decimal.Parse(f[5], CultureInfo.InvariantCulture),
                Fee: decimal.Parse(f[6], CultureInfo.InvariantCulture)))
            .ToList();

        await using var journal = JournalFactory.Create(null, _state.Path);
        var paper = (await journal.QueryAsync(new JournalQuery(Kind: JournalKind.Fill))).OrderBy(e => e.Id)
            .Select(e => (Time: e.Timestamp, Symbol: e.Symbol!.Value.Value, Side: e.Side!.Value.ToString().ToLowerInvariant(),
                Quantity: e.Quantity!.Value, Price: e.Price!.Value, Fee: JsonDocument.Parse(e.Data!).RootElement.GetProperty("fee").GetDecimal()))
            .ToList();

        Assert.True(backtest.Count > 100, $"only {backtest.Count} fills: the week should trade a lot");
        Assert.Equal(backtest.Count, paper.Count);
        for (var i = 0; i < backtest.Count; i++)
        {
            Assert.True(backtest[i] == paper[i], $"fill {i}: backtest {backtest[i]}, paper {paper[i]}");
        }

        // What the backtest closed at the end is exactly what the paper run still holds.
        Assert.NotEmpty(endOfData);
        var held = output.Split('\n').Single(l => l.StartsWith("open positions", StringComparison.Ordinal));
        foreach (var order in File.ReadAllLines(Path.Combine(outDir, "orders.csv")).Skip(1).Select(l => l.Split(',')).Where(o => endOfData.Contains(o[0])))
        {
            Assert.Contains($"{order[13]} {(order[2] == "sell" ? "" : "-")}{order[4]}", held, StringComparison.Ordinal); // symbol, side, quantity
        }
    }
}
