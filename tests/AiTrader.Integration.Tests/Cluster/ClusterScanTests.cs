using System.Text.Json;
using AiTrader.Application;
using AiTrader.Application.Sessions;
using AiTrader.Cluster;
using AiTrader.Cluster.Scans;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;
using AiTrader.Core.Watchlists;
using AiTrader.Integration.Tests.Streaming;
using AiTrader.Integration.Tests.TestSupport;
using Orleans.Core.Internal;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace AiTrader.Integration.Tests.Cluster;

/// <summary>Universe scans as grains on an in-process cluster of three real silos (Orleans' TestingHost; the CLI test
/// over TCP on loopback, the others over its in-memory transport): one grain per
/// bundled symbol holds its streaming scan state, fed the replayed day's bars; each refresh asks the grains in parallel
/// and ranks their rows. Every refresh equals the single-machine replay's (same rows, same order, same numbers), also
/// when grains are deactivated mid-way and rebuild their state from the bar cache; and <c>aitrader scan --cluster</c>
/// prints the single-machine CSV byte for byte.</summary>
public sealed class ClusterScanTests(ITestOutputHelper output)
{
    private static readonly CsvBarSource Sample = new(TestPaths.SampleRoot, NyseCalendar.Instance);

    public static TheoryData<string, bool> Days => new()
    {
        // Four symbols rank; AAPL and the others have no bars that day (rows with no data).
        { "2013-10-08", false },
        // AAPL's 7:1 split takes effect that day: bars on the scan date's basis. With a prob_up floor the daily Kalman
        // trend is measured too (every ranked row carries prob_up and regime).
        { "2014-06-09", true },
    };

    [Theory]
    [MemberData(nameof(Days))]
    public async Task A_replayed_scan_on_three_silos_equals_the_single_machine_scan_refresh_by_refresh(string day, bool trend)
    {
        await using var cluster = await ThreeSilos.StartAsync<SiloSettings>();
        var options = new ScanOptions(MinProbUp: trend ? 0.0 : null, Top: 10);
        var session = NyseCalendar.Instance.GetSession(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture))!;
        var universe = Sample.AvailableSymbols(Timeframe.OneMinute);

        var single = await ScanScheduler.Replay(session, Sample, NyseCalendar.Instance, options, ScanSchedule.Premarket, null, Sample.SplitsFor)
            .RunDayAsync(session.Date, universe);
        ClusterUniverseScanner? scanner = null;
        var onCluster = await ScanScheduler.Replay(session,
                clock => scanner = new ClusterUniverseScanner(cluster.Client, options, clock, new ReplayScanStream(new ScanBarReader(Sample, Sample.SplitsFor))),
                NyseCalendar.Instance, ScanSchedule.Premarket, null)
            .RunDayAsync(session.Date, universe).WaitAsync(TimeSpan.FromSeconds(120));

        AssertSameRefreshes(single, onCluster);
        Assert.Contains(single.Refreshes[^1].Rows, r => r.Status == ScanRowStatus.Ranked);
        if (trend)
        {
            Assert.All(single.Refreshes[^1].Ranked, r => Assert.NotNull(r.ProbUp));
        }

        var report = scanner!.Report();
        var fanOuts = report.FanOuts.Select(f => f.TotalMilliseconds).Order().ToList();
        output.WriteLine($"{day}: fan-out median {fanOuts[fanOuts.Count / 2]:0.0} ms, max {fanOuts[^1]:0.0} ms; state per symbol mean {report.MeanStateBytes} B, max {report.MaxStateBytes} B");
        Assert.Equal(universe.Count, report.Symbols);
        Assert.Equal(0, report.Rebuilt);
        Assert.Equal(66, report.FanOuts.Count);
        // The grains live on more than one silo: placement spreads them.
        Assert.True(report.SymbolsPerSilo.Count > 1, string.Join(", ", report.SymbolsPerSilo));
    }

    [Fact]
    public async Task Grains_deactivated_mid_way_rebuild_from_the_bar_cache_and_the_scan_is_unchanged()
    {
        await using var cluster = await ThreeSilos.StartAsync<SiloSettings>();
        var options = new ScanOptions(Top: 10);
        var session = NyseCalendar.Instance.GetSession(new DateOnly(2013, 10, 8))!;
        var universe = Sample.AvailableSymbols(Timeframe.OneMinute);
        var dropped = new[] { "SPY", "IBM", "AAPL" };
        var single = await ScanScheduler.Replay(session, Sample, NyseCalendar.Instance, options, ScanSchedule.Premarket, null, Sample.SplitsFor)
            .RunDayAsync(session.Date, universe);

        ClusterUniverseScanner? scanner = null;
        var refreshes = 0;
        var scheduler = ScanScheduler.Replay(session,
            clock => scanner = new ClusterUniverseScanner(cluster.Client, options, clock, new ReplayScanStream(new ScanBarReader(Sample, Sample.SplitsFor))),
            NyseCalendar.Instance, ScanSchedule.Premarket, null,
            async (refresh, _, _) =>
            {
                // Half-way through the premarket (06:45 ET), three grains are deactivated: their state is gone.
                if (++refreshes == 34)
                {
                    foreach (var symbol in dropped)
                    {
                        await cluster.Client.GetGrain<IScanSymbolGrain>(symbol).Cast<IGrainManagementExtension>().DeactivateOnIdle();
                    }
                }
            });
        var onCluster = await scheduler.RunDayAsync(session.Date, universe).WaitAsync(TimeSpan.FromSeconds(120));

        AssertSameRefreshes(single, onCluster);
        var report = scanner!.Report();
        // Each dropped grain answered from a second activation, which read its state back from the bar cache.
        Assert.Equal(dropped.Length, report.Rebuilt);
        Assert.Equal(universe.Count, report.Symbols);
    }

    /// <param name="doubleSpyVolume">Stream SPY's bars with twice their volume: the grains measure what the stream
    /// brought (not the bar cache), so SPY's rows differ from the replay's.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_scan_fed_by_the_live_stream_equals_the_replay_of_the_same_bars(bool doubleSpyVolume)
    {
        await using var cluster = await ThreeSilos.StartAsync<SiloSettings>();
        var options = new ScanOptions(Top: 10);
        var session = NyseCalendar.Instance.GetSession(new DateOnly(2013, 10, 8))!;
        var universe = Sample.AvailableSymbols(Timeframe.OneMinute);
        var single = await ScanScheduler.Replay(session, Sample, NyseCalendar.Instance, options, ScanSchedule.Premarket, null, Sample.SplitsFor)
            .RunDayAsync(session.Date, universe);

        // The fake Alpaca WebSocket sends the day's minute bars from the premarket open to 09:30 ET, a frame per minute.
        var streamed = await StreamedBarsAsync(session, universe, doubleSpyVolume);

        await using var fake = await StreamTestKit.StartAsync();
        fake.Scripts.Add(new StreamScript(StreamTestKit.Frames(streamed)));
        var environment = StreamTestKit.Environment(fake);
        using var stop = new CancellationTokenSource();
        var feed = new LiveBarFeed(LiveBarFeed.Alpaca(name => environment.GetValueOrDefault(name)), universe, null, null, stop.Token);
        await using var stream = new StreamedScanStream(feed.ReadAsync);
        var onCluster = await ScanScheduler.Replay(session, clock => new ClusterUniverseScanner(cluster.Client, options, clock, stream),
                NyseCalendar.Instance, ScanSchedule.Premarket, null)
            .RunDayAsync(session.Date, universe).WaitAsync(TimeSpan.FromSeconds(120));
        await stop.CancelAsync();

        Assert.Null(stream.Failure);
        Assert.Equal(streamed.Count, stream.BarsReceived);
        Assert.True(streamed.Count > 200, $"{streamed.Count} bars streamed");
        if (!doubleSpyVolume)
        {
            AssertSameRefreshes(single, onCluster);
            return;
        }

        // SPY's premarket volume, from the stream, is twice the replay's at the last window; the other rows are unchanged.
        var spy = (Single: single.Refreshes[^1].Rows.Single(r => r.Symbol.Value == "SPY"), Stream: onCluster.Refreshes[^1].Rows.Single(r => r.Symbol.Value == "SPY"));
        Assert.True(spy.Single.Volume > 0, "SPY traded no premarket volume in the replay");
        Assert.Equal(spy.Single.Volume * 2, spy.Stream.Volume);
        Assert.NotEqual(spy.Single.Rvol, spy.Stream.Rvol);
        Assert.Equal(Measured(single), Measured(onCluster));

        static string Measured(ScanDay day) => JsonSerializer.Serialize(day.Refreshes[^1].Rows.Where(r => r.Symbol.Value != "SPY")
            .OrderBy(r => r.Symbol.Value, StringComparer.Ordinal).Select(r => new { r.Symbol.Value, r.Gap, r.Rvol, r.LastPrice, r.Volume, r.Score }));
    }

    /// <summary>Three TestingHost silos over TCP with the cluster and service ids of <c>aitrader silo</c>, silo ports from
    /// <paramref name="siloPort"/> and gateways from <paramref name="gatewayPort"/>, so the CLI joins them as it would.</summary>
    private static Task<TestCluster> SilosTheCliJoinsAsync(int siloPort, int gatewayPort) =>
        ThreeSilos.StartAsync<SiloSettings>(b =>
        {
            b.Options.ClusterId = ClusterHosting.ClusterId;
            b.Options.ServiceId = ClusterHosting.ServiceId;
            b.Options.BaseSiloPort = siloPort;
            b.Options.BaseGatewayPort = gatewayPort;
            b.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        });

    [Fact]
    public async Task Scan_cluster_prints_the_single_machine_csv_byte_for_byte()
    {
        await using var cluster = await SilosTheCliJoinsAsync(11181, 30081);
        string[] scan = ["scan", "--date", "2013-10-08", "--replay", "--format", "csv", "--no-store"];

        var single = await CliRunner.Run(scan);
        var onCluster = await CliRunner.Run([.. scan, "--cluster", "--gateway-ports", "30081-30083"]);

        Assert.True(single.Code == 0, single.Err);
        Assert.True(onCluster.Code == 0, onCluster.Err);
        output.WriteLine(onCluster.Err);
        Assert.Equal(single.Out, onCluster.Out);
        Assert.Equal(1 + (66 * 4), onCluster.Out.TrimEnd('\n').Split('\n').Length);
        Assert.Contains("cluster: 10 symbol grains on ", onCluster.Err, StringComparison.Ordinal);
        Assert.Contains("0 grain(s) rebuilt from the bar cache", onCluster.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_cluster_live_fed_by_the_alpaca_websocket_prints_the_replay_csv_byte_for_byte()
    {
        await using var cluster = await SilosTheCliJoinsAsync(11191, 30091);
        var session = NyseCalendar.Instance.GetSession(new DateOnly(2013, 10, 8))!;
        var streamed = await StreamedBarsAsync(session, Sample.AvailableSymbols(Timeframe.OneMinute), doubleSpyVolume: false);
        await using var fake = await StreamTestKit.StartAsync();
        fake.Scripts.Add(new StreamScript(StreamTestKit.Frames(streamed)));

        var replay = await CliRunner.Run("scan", "--date", "2013-10-08", "--replay", "--format", "csv", "--no-store");
        (int Code, string Out, string Err) live;
        // "Now" is a minute before that day's premarket open: the live scan's windows wait on this clock, as they would
        // on the wall clock on a trading day, and the fake WebSocket sends the day's bars.
        using (PlatformEnvironment.Use(StreamTestKit.Environment(fake)))
        using (PlatformEnvironment.UseClock(new SimulatedClock(session.PremarketOpenUtc.AddMinutes(-1))))
        {
            live = await CliRunner.Run("scan", "--cluster", "--gateway-ports", "30091-30093", "--format", "csv", "--no-store")
                .WaitAsync(TimeSpan.FromSeconds(180));
        }

        Assert.True(replay.Code == 0, replay.Err);
        Assert.True(live.Code == 0, live.Err);
        output.WriteLine(live.Err);
        Assert.Equal(replay.Out, live.Out);
        Assert.Equal(1 + (66 * 4), live.Out.TrimEnd('\n').Split('\n').Length);
        Assert.True(streamed.Count > 200, $"{streamed.Count} bars streamed");
        Assert.Contains($"cluster: {streamed.Count} bar(s) came from the Alpaca stream", live.Err, StringComparison.Ordinal);
        Assert.Contains("cluster: 10 symbol grains on ", live.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_cluster_live_without_the_alpaca_keys_names_them()
    {
        (int Code, string Out, string Err) run;
        using (PlatformEnvironment.Use(new Dictionary<string, string>()))
        {
            run = await CliRunner.Run("scan", "--cluster", "--gateway-ports", "30099");
        }

        Assert.Equal(2, run.Code);
        Assert.Equal("error: a live scan needs APCA_API_KEY_ID and APCA_API_SECRET_KEY (Alpaca snapshots and bars); or replay the bundled data with --date 2013-10-08 --replay.", run.Err.Trim());
    }

    [Fact]
    public async Task Scan_cluster_live_started_after_the_premarket_open_is_refused_in_one_line()
    {
        var session = NyseCalendar.Instance.GetSession(new DateOnly(2013, 10, 8))!;
        (int Code, string Out, string Err) run;
        using (PlatformEnvironment.Use(new Dictionary<string, string> { ["APCA_API_KEY_ID"] = "key", ["APCA_API_SECRET_KEY"] = "secret" }))
        using (PlatformEnvironment.UseClock(new SimulatedClock(session.OpenUtc)))
        {
            run = await CliRunner.Run("scan", "--cluster", "--gateway-ports", "30099");
        }

        Assert.Equal(2, run.Code);
        Assert.Equal("error: a live --cluster scan starts before the premarket open (04:00 ET; it is 09:30 ET): the symbol grains are fed by the stream from its first bar on; start it earlier, or scan on this machine without --cluster.", run.Err.Trim());
    }

    /// <summary>What the fake Alpaca WebSocket sends: each symbol's minute bars of <paramref name="session"/> from the
    /// premarket open to 09:30 ET, read from the bundled data as the replay reads them.</summary>
    private static async Task<List<(string Symbol, Bar Bar)>> StreamedBarsAsync(TradingSession session, IReadOnlyList<Symbol> universe, bool doubleSpyVolume)
    {
        var reader = new ScanBarReader(Sample, Sample.SplitsFor);
        var streamed = new List<(string Symbol, Bar Bar)>();
        foreach (var symbol in universe)
        {
            try
            {
                var bars = await reader.LoadAsync(symbol, Timeframe.OneMinute, session.PremarketOpenUtc, session.OpenUtc, session.Date, CancellationToken.None);
                streamed.AddRange(bars.Select(b => (symbol.Value, doubleSpyVolume && symbol.Value == "SPY" ? b with { Volume = b.Volume * 2 } : b)));
            }
            catch (MarketDataException)
            {
                // No bars that day: nothing to stream for this symbol.
            }
        }

        return streamed;
    }

    /// <summary>Every refresh alike but for its elapsed time: window, start, universe, errors, and every row with every
    /// field (JSON keeps each decimal's scale).</summary>
    private static void AssertSameRefreshes(ScanDay expected, ScanDay actual)
    {
        Assert.Equal(expected.Refreshes.Count, actual.Refreshes.Count);
        Assert.Equal(66, actual.Refreshes.Count);
        for (var i = 0; i < expected.Refreshes.Count; i++)
        {
            var e = expected.Refreshes[i];
            var a = actual.Refreshes[i];
            Assert.Equal(e.Window, a.Window);
            Assert.Equal(e.StartedUtc, a.StartedUtc);
            Assert.Equal(e.UniverseSize, a.UniverseSize);
            Assert.Equal(e.Errors, a.Errors);
            Assert.Equal(e.Mode, a.Mode);
            Assert.Equal(JsonSerializer.Serialize(e.Rows), JsonSerializer.Serialize(a.Rows));
        }

        Assert.Equal(expected.Published.Select(w => string.Join(",", w.Symbols)), actual.Published.Select(w => string.Join(",", w.Symbols)));
    }

    /// <summary>The silos, as <c>aitrader silo</c> sets them up: sweep cells and symbol grains over the bundled data and
    /// a bar cache of the test's own.</summary>
    public sealed class SiloSettings : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.AddSweepCells(ClusterSweepTests.SiloSettings.Settings).AddUniverseScans(ClusterSweepTests.SiloSettings.Settings);
    }
}
