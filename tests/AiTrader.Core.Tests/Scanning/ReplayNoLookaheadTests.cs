using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;
using AiTrader.Core.Tests.MarketData;
using AiTrader.Core.Watchlists;

namespace AiTrader.Core.Tests.Scanning;

/// <summary>The replayed premarket of 2013-10-08 on the simulated clock ranks at every window exactly as a scan over
/// data cut off at that window does: nothing later than the window can have leaked into a refresh.</summary>
public sealed class ReplayNoLookaheadTests
{
    private static readonly DateOnly Date = new(2013, 10, 8);
    private static readonly CsvBarSource Sample = new(TestData.SampleRoot, NyseCalendar.Instance);

    private static IReadOnlyList<Symbol> Universe => Sample.AvailableSymbols(Timeframe.OneMinute);

    [Trait("Category", "Slow")]
    [Fact]
    public async Task Every_window_ranks_as_the_data_truncated_at_that_window()
    {
        var clock = new SimulatedClock(ExchangeTime.ToUtc(Date, new TimeOnly(3, 0)));
        var options = new ScanOptions(MinProbUp: 0.0); // also exercises the daily trend read
        var scanner = new PremarketScanner(Sample, NyseCalendar.Instance, options, clock: clock, splits: Sample.SplitsFor);
        var store = new InMemoryWatchlistStore();
        var day = await new ScanScheduler(scanner, ScanSchedule.Premarket, NyseCalendar.Instance, clock, store).RunDayAsync(Date, Universe);

        Assert.Equal(66, day.Refreshes.Count);
        Assert.Equal(66, store.Refreshes.Count);
        Assert.Equal(66, store.Saved.Count);
        foreach (var refresh in day.Refreshes)
        {
            // The simulated clock stood at the window when the refresh ran.
            Assert.Equal(refresh.Window, refresh.StartedUtc);
            Assert.Equal(10, refresh.UniverseSize);

            var truncated = new TruncatedBarSource(Sample, refresh.Window);
            var fresh = new PremarketScanner(truncated, NyseCalendar.Instance, options, splits: Sample.SplitsFor);
            var expected = await fresh.ScanAsync(Date, refresh.Window, Universe);

            Assert.Equal(Key(expected), Key(refresh));
            Assert.NotEmpty(refresh.Ranked);
        }

        // The bundled symbols trading that day all rank by 09:25; the watchlist is the last window's top N.
        var last = day.Refreshes[^1];
        Assert.Equal(["AIG", "BAC", "IBM", "SPY"], last.Ranked.Select(r => r.Symbol.Value).Order());
        Assert.Equal(last.Ranked.Select(r => r.Symbol), day.Latest!.Symbols);
        Assert.All(day.Latest.Entries, e => Assert.Equal("scan", e.Source));
    }

    [Fact]
    public async Task The_truncation_itself_changes_the_ranking_inputs_over_the_morning()
    {
        // Guard against a vacuous comparison: the windows really see different data.
        var scanner = new PremarketScanner(Sample, NyseCalendar.Instance, splits: Sample.SplitsFor);
        var early = await scanner.ScanAsync(Date, ExchangeTime.ToUtc(Date, new TimeOnly(6, 0)), ["SPY"]);
        var late = await scanner.ScanAsync(Date, ExchangeTime.ToUtc(Date, new TimeOnly(9, 25)), ["SPY"]);
        Assert.True(late.Rows[0].Volume > early.Rows[0].Volume);
    }

    [Fact]
    public async Task The_premarket_provider_replays_the_scan_for_the_trading_loop()
    {
        var provider = new PremarketWatchlistProvider("scan", bars: Sample, universe: Universe, splits: Sample.SplitsFor);
        var list = await provider.ForSessionAsync(Date, PremarketMode.Replay);

        Assert.Equal("scan", list.Source);
        Assert.Equal(ExchangeTime.ToUtc(Date, new TimeOnly(9, 25)), list.AsOfUtc);
        Assert.True(list.AsOfUtc < NyseCalendar.Instance.GetSession(Date)!.OpenUtc);
        Assert.Equal(["AIG", "BAC", "IBM", "SPY"], list.Symbols.Select(s => s.Value).Order());

        var weekend = await Assert.ThrowsAsync<ArgumentException>(() => provider.ForSessionAsync(new DateOnly(2013, 10, 12), PremarketMode.Replay));
        Assert.Contains("not a trading day", weekend.Message);
    }

    [Fact]
    public async Task A_bucket_gives_the_latest_list_saved_before_the_open()
    {
        var store = new InMemoryWatchlistStore();
        var open = NyseCalendar.Instance.GetSession(Date)!.OpenUtc;
        await store.SaveAsync(new Watchlist("morning", open.AddHours(-2), "manual", [new WatchlistEntry("IBM", "manual")], []));
        await store.SaveAsync(new Watchlist("morning", open.AddMinutes(-5), "manual", [new WatchlistEntry("BAC", "manual")], []));
        await store.SaveAsync(new Watchlist("morning", open.AddMinutes(5), "manual", [new WatchlistEntry("SPY", "manual")], []));

        var list = await new PremarketWatchlistProvider("morning", store).ForSessionAsync(Date, PremarketMode.Replay);

        Assert.Equal(["BAC"], list.Symbols.Select(s => s.Value));
        Assert.Equal("morning", list.Source);
        var missing = await Assert.ThrowsAsync<ArgumentException>(() => new PremarketWatchlistProvider("evening", store).ForSessionAsync(Date, PremarketMode.Replay));
        Assert.Contains("aitrader watchlist build --bucket evening", missing.Message);
    }

    private static List<string> Key(ScanRefresh refresh) =>
        refresh.Rows.Select(r => $"{r.Symbol}|{r.Status}|{r.Rank}|{r.Score}|{r.Gap}|{r.Rvol}|{r.LastPrice}|{r.PriorClose}|{r.Volume}|{r.AverageVolume}|{string.Join(",", r.SessionDates)}|{r.ProbUp}|{r.Regime}").ToList();

    /// <summary>The bundled data as it stood at <paramref name="asOf"/>: minute bars closed by then, daily bars of
    /// sessions closed by then. It ignores the request's end, so only the scanner's own cut can keep later bars out.</summary>
    private sealed class TruncatedBarSource(CsvBarSource inner, DateTime asOf) : IBarSource
    {
        public async Task<BarSeries> GetBarsAsync(BarRequest request, CancellationToken cancellationToken = default)
        {
            var all = await inner.GetBarsAsync(request with { EndUtc = null }, cancellationToken);
            var kept = all.Bars.Where(b => request.Timeframe.IsIntraday
                ? b.Timestamp + TimeSpan.FromMinutes(1) <= asOf
                : NyseCalendar.Instance.GetSession(ExchangeTime.SessionDate(b.Timestamp))!.CloseUtc <= asOf).ToList();
            return all with { Bars = kept };
        }
    }
}
