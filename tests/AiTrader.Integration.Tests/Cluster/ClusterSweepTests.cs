using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiTrader.Cluster;
using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.Domain;
using AiTrader.Core.Reporting.Sweeps;
using AiTrader.Integration.Tests.Service;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Reporting.Sweeps;
using AiTrader.Service;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace AiTrader.Integration.Tests.Cluster;

/// <summary>Distributed sweeps on an in-process cluster of three real silos (Orleans' TestingHost: real silos, real
/// membership, real sockets on loopback): the same ranked CSV, byte for byte, as the single-machine sweep of the same
/// request, also when a silo is killed with cells open on it, and every cell counted once.</summary>
public sealed class ClusterSweepTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aitrader-cluster-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>12 cells on SPY's daily bars of 2005-2009: small enough to keep the test short.</summary>
    private static SweepRequest Request(string outDir) => new(new Symbol("SPY"), "breakout",
        ParameterGrid.Parse("lookback=10:60:10,atr_mult=2,3"), Timeframe.Parse("1Day"), new DateOnly(2005, 1, 1), new DateOnly(2009, 12, 31),
        RankMetric.Sharpe, 100_000m, new Dictionary<string, string>(), OutDir: outDir);

    [Fact]
    public async Task A_sweep_on_three_silos_writes_the_single_machine_csv_byte_for_byte()
    {
        await using var cluster = await StartClusterAsync();
        var single = await SingleMachineAsync();

        var prepared = await SweepRun.PrepareAsync(Request(Path.Combine(_root, "cluster")), SiloSettings.Settings, CancellationToken.None);
        var outcome = await new ClusterSweep(cluster.Client, cluster.Client.ServiceProvider.GetService<GatewayLossSignal>()) { MaxInFlight = 6 }
            .RunAsync(prepared, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));

        var csv = await File.ReadAllBytesAsync(Path.Combine(_root, "cluster", SweepReportWriter.CsvFileName));
        Assert.Equal(single, csv);
        Assert.Equal(1 + 12, File.ReadAllLines(Path.Combine(_root, "cluster", SweepReportWriter.CsvFileName)).Length);
        Assert.Equal(
            await File.ReadAllTextAsync(Path.Combine(_root, "single", SweepReportWriter.HeatmapSvgFileName)),
            await File.ReadAllTextAsync(Path.Combine(_root, "cluster", SweepReportWriter.HeatmapSvgFileName)));
        Assert.Equal(12, outcome.Report.Cells);
        Assert.Equal(0, outcome.Report.Discarded);
        // The cells went to every silo, not one.
        Assert.Equal(3, outcome.Report.CellsPerSilo.Count);
        Assert.Equal(12, outcome.Report.CellsPerSilo.Values.Sum());
    }

    [Fact]
    public async Task Silos_read_the_bars_from_the_shared_bar_cache_that_the_client_filled_and_parse_no_csv()
    {
        await using var cluster = await StartClusterAsync();
        // The client's load writes the columns into the folder every silo is given (SiloSettings' bar cache).
        var prepared = await SweepRun.PrepareAsync(Request(Path.Combine(_root, "cluster")), SiloSettings.Settings, CancellationToken.None);
        Assert.NotEmpty(Directory.GetFiles(SiloSettings.Settings.BarCacheDir!, "SPY-*.bars"));
        var work = Work(cluster);

        await new ClusterSweep(cluster.Client, cluster.Client.ServiceProvider.GetService<GatewayLossSignal>()) { MaxInFlight = 6 }
            .RunAsync(prepared, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));

        // Every silo prepared the sweep (each ran cells) from the cache; none parsed a CSV.
        Assert.All(work, w => Assert.Equal((1, 0), (w.BarsFromCache, w.BarsParsed)));

        // With the cache folder emptied, the next sweep's bars are parsed on a silo (the first to prepare it; it writes the
        // entry, which the others may find): the counts tell the two apart.
        Directory.Delete(SiloSettings.Settings.BarCacheDir!, recursive: true);
        var again = await SweepRun.PrepareAsync(Request(Path.Combine(_root, "again")), SiloSettings.Settings, CancellationToken.None);
        Directory.Delete(SiloSettings.Settings.BarCacheDir!, recursive: true);
        await new ClusterSweep(cluster.Client, cluster.Client.ServiceProvider.GetService<GatewayLossSignal>()) { MaxInFlight = 6 }
            .RunAsync(again, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));
        Assert.All(work, w => Assert.Equal(2, w.BarsFromCache + w.BarsParsed));
        Assert.InRange(work.Sum(w => w.BarsParsed), 1, work.Count);
    }

    [Fact]
    public async Task A_silo_killed_with_cells_open_on_it_changes_nothing_and_each_cell_counts_once()
    {
        await using var cluster = await StartClusterAsync();
        var single = await SingleMachineAsync();
        var victim = cluster.SecondarySilos[0];
        using var hold = HeldCells.On(victim.SiloAddress);

        var prepared = await SweepRun.PrepareAsync(Request(Path.Combine(_root, "cluster")), SiloSettings.Settings, CancellationToken.None);
        var progress = new ConcurrentQueue<int>();
        var sweep = new ClusterSweep(cluster.Client, cluster.Client.ServiceProvider.GetService<GatewayLossSignal>()) { MaxInFlight = 6 };
        var running = sweep.RunAsync(prepared, new Progress<int>(progress.Enqueue), CancellationToken.None);
        // The victim holds the cells that reach it; once it holds one, it dies with it.
        await hold.FirstHeld.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.False(running.IsCompleted);
        // The kill completes once the held calls are let go, which happens only after the sweep is done without them.
        var kill = cluster.KillSiloAsync(victim);
        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(120));
        hold.Dispose();
        await kill.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(single, await File.ReadAllBytesAsync(Path.Combine(_root, "cluster", SweepReportWriter.CsvFileName)));
        var report = outcome.Report;
        Assert.Equal(12, report.Cells);
        Assert.True(report.Resubmitted >= hold.Held, $"{hold.Held} cells held on the killed silo, {report.Resubmitted} sent again");
        Assert.DoesNotContain(victim.SiloAddress.Endpoint.ToString(), report.CellsPerSilo.Keys);
        Assert.Equal(12, report.CellsPerSilo.Values.Sum());
        // One row per cell, in grid order: the ranking saw each combination once.
        var rows = outcome.Outcome.Sweep!.Rows;
        Assert.Equal(Enumerable.Range(0, 12), rows.Select(r => r.Combination.Index));
        Assert.Equal(12, outcome.Outcome.Sweep.Ranked.Select(r => r.Combination.Index).Distinct().Count());
    }

    [Fact]
    public async Task Cancelling_a_sweep_cancels_the_cells_already_running_on_the_silos()
    {
        await using var cluster = await StartClusterAsync();
        var silo = cluster.SecondarySilos[0];
        // The cells that reach this silo run until they are cancelled (a stand-in for long backtests).
        using var hold = HeldCells.On(silo.SiloAddress);
        var prepared = await SweepRun.PrepareAsync(Request(Path.Combine(_root, "cluster")), SiloSettings.Settings, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var running = new ClusterSweep(cluster.Client, cluster.Client.ServiceProvider.GetService<GatewayLossSignal>()) { MaxInFlight = 6 }
            .RunAsync(prepared, null, cancel.Token);
        await hold.FirstHeld.WaitAsync(TimeSpan.FromSeconds(60));

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(TimeSpan.FromSeconds(30)));
        // Every cell open on the silo heard the cancel and stopped; none waits for its end.
        var until = DateTime.UtcNow.AddSeconds(10);
        while (hold.Cancelled < hold.Held && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        Assert.True(hold.Held > 0);
        Assert.Equal(hold.Held, hold.Cancelled);
        Assert.False(File.Exists(Path.Combine(_root, "cluster", SweepReportWriter.CsvFileName)));
    }

    [Fact]
    public async Task A_walk_forward_on_three_silos_writes_the_single_machine_files_byte_for_byte()
    {
        await using var cluster = await StartClusterAsync();
        // Five years of daily bars, a year in-sample and half a year out: 7 windows of 12 in-sample cells each.
        var walk = new WalkForwardRequest(InSampleBars: 252, OutOfSampleBars: 126);
        var single = await SweepRun.PrepareAsync(Request(Path.Combine(_root, "single")) with { WalkForward = walk }, SiloSettings.Settings,
            CancellationToken.None);
        single.Run(null, CancellationToken.None);

        var prepared = await SweepRun.PrepareAsync(Request(Path.Combine(_root, "cluster")) with { WalkForward = walk }, SiloSettings.Settings,
            CancellationToken.None);
        var progress = new ConcurrentQueue<int>();
        var outcome = await new ClusterSweep(cluster.Client, cluster.Client.ServiceProvider.GetService<GatewayLossSignal>()) { MaxInFlight = 6 }
            .RunAsync(prepared, new MonotonicProgress(progress.Enqueue), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(120));

        foreach (var file in new[] { WalkForwardReportWriter.WindowsFileName, WalkForwardReportWriter.EquityFileName, WalkForwardReportWriter.MetricsFileName })
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_root, "single", file)), await File.ReadAllBytesAsync(Path.Combine(_root, "cluster", file)));
        }

        // 1,258 bars: windows start every 126 bars while a year in-sample and some out-of-sample remain.
        var windows = outcome.Outcome.WalkForward!.Windows.Count;
        Assert.Equal(1 + (1258 - 252 - 1) / 126, windows);
        Assert.Equal(1 + windows, File.ReadAllLines(Path.Combine(_root, "cluster", WalkForwardReportWriter.WindowsFileName)).Length);
        Assert.Equal(windows * 12, outcome.Report.Cells);
        Assert.Equal(3, outcome.Report.CellsPerSilo.Count);
        // Progress counts to the single-machine total: every in-sample cell, then every window's out-of-sample run.
        Assert.Equal(prepared.Total, progress.Max());
        Assert.Equal(windows * 13, prepared.Total);
    }

    [Fact]
    public async Task A_sweep_job_submitted_to_the_service_runs_on_the_silos_and_writes_the_single_machine_csv()
    {
        await using var cluster = await StartClusterAsync();
        var single = await SingleMachineAsync();
        var work = Work(cluster);
        var before = work.Sum(w => w.Finished);
        var sweeps = new ClusterSweep(cluster.Client, cluster.Client.ServiceProvider.GetService<GatewayLossSignal>()) { MaxInFlight = 6 };
        await using var service = await ServiceHost.StartAsync(new ServiceOptions { ClusterSweeps = sweeps.ExecuteAsync });
        using var trader = service.Client(service.TraderKey);

        var id = await ServiceHost.SubmitAsync(trader, "/api/sweeps",
            """{"symbol":"SPY","strategy":"breakout","grid":"lookback=10:60:10,atr_mult=2,3","start":"2005-01-01","end":"2009-12-31"}""");
        var job = await ServiceHost.FinishedJobAsync(trader, $"/api/sweeps/{id}");

        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal(1.0, job.GetProperty("progress").GetDouble());
        Assert.Equal(single, await trader.GetByteArrayAsync($"/api/sweeps/{id}/files/sweep.csv"));
        // The twelve backtests ran on the silos, not on the service's job worker.
        Assert.Equal(12, work.Sum(w => w.Finished) - before);
    }

    [Fact]
    public async Task A_sweep_job_on_the_silos_reports_progress_and_is_cancelled_through_the_api()
    {
        await using var cluster = await StartClusterAsync();
        var work = Work(cluster);
        var sweeps = new ClusterSweep(cluster.Client, cluster.Client.ServiceProvider.GetService<GatewayLossSignal>()) { MaxInFlight = 3 };
        await using var service = await ServiceHost.StartAsync(new ServiceOptions { ClusterSweeps = sweeps.ExecuteAsync });
        using var trader = service.Client(service.TraderKey);

        // 800 cells over SPY's whole daily history: minutes of work on three silos, stopped a few cells in.
        var id = await ServiceHost.SubmitAsync(trader, "/api/sweeps", """{"symbol":"SPY","strategy":"breakout","grid":"lookback=5:204:1,atr_mult=1,2,3,4"}""");
        var until = DateTime.UtcNow.AddSeconds(60);
        double progress;
        do
        {
            Assert.True(DateTime.UtcNow < until, "the sweep job showed no progress from the silos");
            await Task.Delay(100);
            progress = (await trader.GetFromJsonAsync<JsonElement>($"/api/sweeps/{id}")).GetProperty("progress").GetDouble();
        }
        while (progress <= 0.05);

        Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sweeps/{id}")).StatusCode);
        var job = await ServiceHost.FinishedJobAsync(trader, $"/api/sweeps/{id}");
        Assert.Equal("cancelled", job.GetProperty("state").GetString());
        Assert.True(job.GetProperty("progress").GetDouble() < 1.0);
        // No cell is sent after the cancel, and the few open on the silos (at most 3) are cancelled: the silos go idle.
        await Task.Delay(2_000);
        var settled = work.Sum(w => w.Finished);
        await Task.Delay(2_000);
        Assert.Equal(settled, work.Sum(w => w.Finished));
        Assert.True(settled < 800, $"{settled} cells ran");
        Assert.Equal(HttpStatusCode.Conflict, (await trader.GetAsync($"/api/sweeps/{id}/result")).StatusCode);
    }

    [Fact]
    public void The_ledger_keeps_the_first_answer_of_a_cell_and_counts_a_late_one_as_discarded()
    {
        var grid = ParameterGrid.Parse("lookback=10,20");
        var ledger = new SweepCellLedger(grid);
        var first = Metrics(101_000m);
        var late = Metrics(99_000m);

        Assert.True(ledger.Accept(new SweepCellResult(1, first, 1.5, "a")));
        Assert.False(ledger.Accept(new SweepCellResult(1, late, -2.0, "b")));
        Assert.False(ledger.Complete);
        Assert.Throws<InvalidOperationException>(() => ledger.Rows());
        Assert.True(ledger.Accept(new SweepCellResult(0, late, 0.5, "b")));

        var rows = ledger.Rows();
        Assert.Equal(101_000m, rows[1].Metrics.FinalEquity);
        Assert.Equal(1.5, rows[1].Score);
        Assert.Equal("lookback=20", rows[1].Combination.ToString());
        var report = ledger.Report();
        Assert.Equal(2, report.Cells);
        Assert.Equal(1, report.Discarded);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 1 }, report.CellsPerSilo);
        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.Accept(new SweepCellResult(2, first, null, "a")));
    }

    [Fact]
    public void Metrics_cross_the_wire_exactly_decimal_scale_and_non_finite_doubles_included()
    {
        var services = new ServiceCollection().AddSerializer(ClusterSerialization.Add).BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var sent = Metrics(114_648.610m) with { Sharpe = double.NaN, ProfitFactor = double.PositiveInfinity, TotalReturn = 0.1 + 0.2 };

        var received = serializer.Deserialize<SweepCellResult>(serializer.SerializeToArray(new SweepCellResult(3, sent, null, "s")))!;

        Assert.Equal("114648.610", received.Metrics.FinalEquity.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(double.IsNaN(received.Metrics.Sharpe!.Value));
        Assert.Equal(double.PositiveInfinity, received.Metrics.ProfitFactor);
        Assert.Equal(BitConverter.DoubleToInt64Bits(0.1 + 0.2), BitConverter.DoubleToInt64Bits(received.Metrics.TotalReturn));
        Assert.Equal(new DateOnly(2008, 10, 9), received.Metrics.MaxDrawdownTroughDate);
        Assert.Equal(TimeSpan.FromHours(30), received.Metrics.AverageHoldingPeriod);
        Assert.Null(received.Score);
        Assert.Equal(3, received.Cell);
    }

    private static List<SweepCellWork> Work(TestCluster cluster) =>
        [.. cluster.Silos.Cast<InProcessSiloHandle>().Select(s => s.SiloHost.Services.GetRequiredService<SweepCellWork>())];

    private async Task<byte[]> SingleMachineAsync()
    {
        var prepared = await SweepRun.PrepareAsync(Request(Path.Combine(_root, "single")), SiloSettings.Settings, CancellationToken.None);
        prepared.Run(null, CancellationToken.None);
        return await File.ReadAllBytesAsync(Path.Combine(_root, "single", SweepReportWriter.CsvFileName));
    }

    private static async Task<TestCluster> StartClusterAsync()
    {
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<SiloSettings>();
        builder.AddClientBuilderConfigurator<ClientSettings>();
        var cluster = builder.Build();
        await cluster.DeployAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return cluster;
    }

    private static AiTrader.Core.Backtesting.PerformanceMetrics Metrics(decimal finalEquity) => new()
    {
        InitialCapital = 100_000m,
        FinalEquity = finalEquity,
        NetProfit = finalEquity - 100_000m,
        TotalReturn = 0.01,
        Cagr = 0.02,
        TradingDays = 300,
        MeanDailyReturn = 0.0001,
        DailyVolatility = 0.01,
        AnnualizedVolatility = 0.16,
        RiskFreeRate = 0.04,
        Sharpe = 0.5,
        DownsideDeviation = 0.007,
        Sortino = 0.7,
        MaxDrawdown = 0.2,
        MaxDrawdownPeakDate = new DateOnly(2007, 10, 9),
        MaxDrawdownTroughDate = new DateOnly(2008, 10, 9),
        MaxDrawdownRecoveryDate = null,
        MaxDrawdownDurationDays = 400,
        Calmar = 0.1,
        Trades = 7,
        Wins = 4,
        Losses = 3,
        WinRate = 4 / 7.0,
        TotalPnl = 1_000m,
        GrossProfit = 3_000m,
        GrossLoss = -2_000m,
        AverageWin = 750m,
        AverageLoss = -666.67m,
        PayoffRatio = 1.125,
        ProfitFactor = 1.5,
        LargestWin = 1_200m,
        LargestLoss = -900m,
        AverageHoldingPeriod = TimeSpan.FromHours(30),
        TotalFees = 7m,
        Exposure = 0.4,
        AverageGrossExposure = 0.35,
    };

    /// <summary>The silos of the test cluster: the sweep cells over the bundled data and a bar cache of the test's own,
    /// and the hold that keeps a chosen silo's cells open (<see cref="HeldCells"/>).</summary>
    public sealed class SiloSettings : ISiloConfigurator
    {
        public static AppSettings Settings { get; } = new()
        {
            DataDir = Path.Combine(Path.GetTempPath(), "aitrader-cluster-tests"),
            ArtifactsDir = Path.Combine(Path.GetTempPath(), "aitrader-cluster-tests", "artifacts"),
            SampleDataDir = TestPaths.SampleRoot,
            BarCacheDir = Path.Combine(Path.GetTempPath(), "aitrader-cluster-tests", "bars-" + Environment.ProcessId),
        };

        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddSweepCells(Settings);
            siloBuilder.AddIncomingGrainCallFilter<HeldCells.Filter>();
        }
    }

    public sealed class ClientSettings : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) => clientBuilder.AddSweepClient();
    }

    /// <summary>Holds every sweep cell that reaches one chosen silo until the hold is disposed, so the test can kill that
    /// silo with cells open on it; other silos run theirs at once.</summary>
    private sealed class HeldCells : IDisposable
    {
        private static HeldCells? _current;
        private readonly SiloAddress _silo;
        private readonly TaskCompletionSource _firstHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _held;
        private int _cancelled;

        private HeldCells(SiloAddress silo) => _silo = silo;

        public Task FirstHeld => _firstHeld.Task;

        public int Held => Volatile.Read(ref _held);

        /// <summary>Held calls whose caller cancelled them.</summary>
        public int Cancelled => Volatile.Read(ref _cancelled);

        public static HeldCells On(SiloAddress silo) => _current = new HeldCells(silo);

        public void Dispose()
        {
            _release.TrySetResult();
            _current = null;
        }

        public sealed class Filter(ILocalSiloDetails self) : IIncomingGrainCallFilter
        {
            public async Task Invoke(IIncomingGrainCallContext context)
            {
                // Cells alone: a cancel reaches the same grain through Orleans' cancellation extension, which is let through.
                if (_current is { } hold && context.InterfaceMethod?.DeclaringType == typeof(ISweepCellGrain) && hold._silo.Equals(self.SiloAddress))
                {
                    Interlocked.Increment(ref hold._held);
                    hold._firstHeld.TrySetResult();
                    try
                    {
                        // Held until let go, or until the caller cancels the call (the token Orleans brings to the silo).
                        await hold._release.Task.WaitAsync(context.Request.GetCancellationToken());
                    }
                    catch (OperationCanceledException)
                    {
                        Interlocked.Increment(ref hold._cancelled);
                        throw;
                    }
                }

                await context.Invoke();
            }
        }
    }
}
