using AiTrader.Core.Journal;
using AiTrader.Core.Tests.Journal;
using AiTrader.Core.Tests.TestSupport;
using AiTrader.Storage;

namespace AiTrader.Core.Tests.Cli;

/// <summary><c>trade --watchlist-source scan</c>: a replayed day takes its symbols from that morning's premarket scan.</summary>
[Trait("Category", "Cli")]
[Collection(EnvironmentCollection.Name)]
public sealed class TradeWatchlistSourceCliTests : IDisposable
{
    private readonly IsolatedStateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task A_replayed_day_trades_the_symbols_the_premarket_scan_picked()
    {
        var (scanCode, scanOut, scanErr) = await CliRunner.Run("scan", "--premarket", "--date", "2013-10-08", "--replay");
        Assert.True(scanCode == 0, scanErr);
        var published = scanOut.Split('\n').Last(l => l.StartsWith("watchlist (scan", StringComparison.Ordinal));
        var symbols = published.Split(": ", 2)[1].Split(';')[0].Trim();

        var (code, output, err) = await CliRunner.Run("trade", "--paper", "--replay", "2013-10-08:2013-10-08", "--interval", "1Min",
            "--watchlist-source", "scan");
        Assert.True(code == 0, err);
        Assert.Contains($"watchlist: {symbols} (from the scan watchlist of 2013-10-08", output, StringComparison.Ordinal);

        await using var journal = JournalFactory.Create(null, _state.Path);
        var premarket = Assert.Single(await journal.QueryAsync(new JournalQuery(Kind: JournalKind.Decision)), e => e.Reason.StartsWith("premarket:", StringComparison.Ordinal));
        Assert.StartsWith($"premarket: watchlist {symbols} (from the scan watchlist", premarket.Reason, StringComparison.Ordinal);
        var traded = (await journal.QueryAsync(new JournalQuery(Kind: JournalKind.Fill))).Select(f => f.Symbol!.Value.Value).Distinct();
        Assert.All(traded, s => Assert.Contains(s, symbols.Split(','), StringComparer.Ordinal));

        var both = await CliRunner.Run("trade", "--paper", "--replay", "2013-10-08:2013-10-08", "--watchlist-source", "scan", "--symbols", "SPY");
        Assert.Equal(2, both.Code);
        Assert.Contains("exclude each other", both.Err, StringComparison.Ordinal);
        var weekend = await CliRunner.Run("trade", "--paper", "--replay", "2013-10-12:2013-10-13", "--watchlist-source", "scan");
        Assert.Equal(2, weekend.Code);
        Assert.Contains("no trading session", weekend.Err, StringComparison.Ordinal);
    }
}
