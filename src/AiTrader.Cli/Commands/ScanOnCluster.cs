using System.CommandLine;
using System.Globalization;
using AiTrader.Cluster;
using AiTrader.Cluster.Scans;
using AiTrader.Core.MarketData;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;
using AiTrader.Core.Watchlists;
using Microsoft.Extensions.DependencyInjection;
using Symbol = AiTrader.Core.Domain.Symbol;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader scan --cluster --date D --replay</c>: the universe's symbols are grains on the silos of a local
/// cluster (<c>aitrader silo</c>), fed the replayed stream; each refresh asks them in parallel and ranks their rows with
/// the single-machine scanner's ranking, so the output is <c>aitrader scan</c>'s.</summary>
internal static class ScanOnCluster
{
    public static Option<bool> ClusterOption() =>
        new("--cluster") { Description = "With --replay: measure each symbol in a grain on the silos of a local cluster (start them with `aitrader silo`); same rows and ranking as on one machine." };

    /// <summary>Replays <paramref name="session"/> over <paramref name="universe"/> on the cluster behind
    /// <paramref name="gateways"/> (or <paramref name="table"/>'s silos); one line on <paramref name="stderr"/> says where the symbols lived and how long a
    /// refresh's fan-out took.</summary>
    public static async Task<ScanDay> RunDayAsync(IReadOnlyList<int> gateways, AzureTableMembership? table, TradingSession session, CsvBarSource source, ScanOptions options,
        ScanSchedule schedule, IWatchlistStore? store, Func<ScanRefresh, Watchlist, CancellationToken, Task> onRefresh,
        IReadOnlyList<Symbol> universe, TextWriter stderr, CancellationToken ct)
    {
        var (client, _) = await SweepOnCluster.ConnectAsync(gateways, table, ct);
        using var host = client;
        try
        {
            var stream = new ReplayScanStream(new ScanBarReader(source, source.SplitsFor));
            ClusterUniverseScanner? scanner = null;
            var scheduler = ScanScheduler.Replay(session,
                clock => scanner = new ClusterUniverseScanner(host.Services.GetRequiredService<IClusterClient>(), options, clock, stream),
                NyseCalendar.Instance, schedule, store, onRefresh);
            var day = await scheduler.RunDayAsync(session.Date, universe, ct);
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
