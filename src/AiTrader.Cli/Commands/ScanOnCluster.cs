using System.CommandLine;
using System.Globalization;
using AiTrader.Cluster;
using AiTrader.Cluster.Scans;
using AiTrader.Core.Agents;
using AiTrader.Core.MarketData;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;
using AiTrader.Core.Watchlists;
using Microsoft.Extensions.DependencyInjection;
using Symbol = AiTrader.Core.Domain.Symbol;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader scan --cluster</c> (with <c>--date D --replay</c>, or live on today): the universe's symbols are
/// grains on the silos of a local cluster (<c>aitrader silo</c>), fed the replayed stream or the Alpaca WebSocket; each refresh asks them in parallel and ranks their rows with
/// the single-machine scanner's ranking, so the output is <c>aitrader scan</c>'s.</summary>
internal static class ScanOnCluster
{
    public static Option<bool> ClusterOption() =>
        new("--cluster") { Description = "Measure each symbol in a grain on the silos of a local cluster (start them with `aitrader silo`), fed the replayed bars (--replay) or, live, the Alpaca WebSocket (start before 04:00 ET); same rows and ranking as on one machine." };

    /// <summary>Replays <paramref name="session"/> over <paramref name="universe"/> on the cluster behind
    /// <paramref name="gateways"/> (or <paramref name="table"/>'s silos); one line on <paramref name="stderr"/> says where the symbols lived and how long a
    /// refresh's fan-out took.</summary>
    public static Task<ScanDay> RunDayAsync(IReadOnlyList<int> gateways, ClusterMembership? table, TradingSession session, CsvBarSource source, ScanOptions options,
        ScanSchedule schedule, IWatchlistStore? store, Func<ScanRefresh, Watchlist, CancellationToken, Task> onRefresh,
        IReadOnlyList<Symbol> universe, TextWriter stderr, CancellationToken ct)
    {
        var stream = new ReplayScanStream(new ScanBarReader(source, source.SplitsFor));
        return RunAsync(gateways, table, session, universe, stderr, ct, (client, keep) => ScanScheduler.Replay(session,
            clock => keep(new ClusterUniverseScanner(client, options, clock, stream)), NyseCalendar.Instance, schedule, store, onRefresh));
    }

    /// <summary>Scans today's <paramref name="session"/> live on the cluster: the symbol grains are fed by
    /// <paramref name="feed"/> (the Alpaca WebSocket) through a <see cref="StreamedScanStream"/>, and each window waits
    /// on <paramref name="clock"/> as the single-machine live scan does. The grains read the day's bars before the
    /// premarket open and the past sessions from the silos' bar cache.</summary>
    public static async Task<ScanDay> RunLiveAsync(IReadOnlyList<int> gateways, ClusterMembership? table, TradingSession session, ScanOptions options,
        ScanSchedule schedule, IWatchlistStore? store, Func<ScanRefresh, Watchlist, CancellationToken, Task> onRefresh,
        IReadOnlyList<Symbol> universe, BarFeed feed, TimeProvider clock, TextWriter stderr, CancellationToken ct)
    {
        await using var stream = new StreamedScanStream(feed);
        var day = await RunAsync(gateways, table, session, universe, stderr, ct, (client, keep) =>
            new ScanScheduler(keep(new ClusterUniverseScanner(client, options, clock, stream)), schedule, NyseCalendar.Instance, clock, store, "live")
            {
                OnRefresh = onRefresh,
            });
        if (stream.Failure is { } failure)
        {
            await stderr.WriteLineAsync($"note: the Alpaca stream stopped early ({failure.Message.ReplaceLineEndings(" ")}); later windows lack the bars it did not bring.");
        }

        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"cluster: {stream.BarsReceived} bar(s) came from the Alpaca stream"));
        return day;
    }

    /// <summary>Runs the scheduler <paramref name="scheduler"/> makes with the cluster client (its scanner passed through
    /// the second argument, to report on) over <paramref name="session"/>'s day.</summary>
    private static async Task<ScanDay> RunAsync(IReadOnlyList<int> gateways, ClusterMembership? table, TradingSession session, IReadOnlyList<Symbol> universe,
        TextWriter stderr, CancellationToken ct, Func<IClusterClient, Func<ClusterUniverseScanner, ClusterUniverseScanner>, ScanScheduler> scheduler)
    {
        var (client, _) = await SweepOnCluster.ConnectAsync(gateways, table, ct);
        using var host = client;
        try
        {
            ClusterUniverseScanner? scanner = null;
            var day = await scheduler(host.Services.GetRequiredService<IClusterClient>(), s => scanner = s).RunDayAsync(session.Date, universe, ct);
            var report = scanner!.Report();
            if (report.FanOuts.Count > 0)
            {
                var fanOuts = report.FanOuts.Select(f => f.TotalMilliseconds).Order().ToList();
                await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"cluster: {report.Symbols} symbol grains on {report.SymbolsPerSilo.Count} silos ({string.Join(", ", report.SymbolsPerSilo.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}: {s.Value}"))}); fan-out per refresh median {fanOuts[fanOuts.Count / 2]:0.0} ms, max {fanOuts[^1]:0.0} ms; {report.Rebuilt} grain(s) rebuilt from the bar cache; about {report.MeanStateBytes / 1024.0:0.0} KiB of state a symbol"));
            }

            return day;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }
}
