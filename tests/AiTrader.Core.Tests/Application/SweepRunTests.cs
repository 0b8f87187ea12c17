using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Tests.Application;

/// <summary>The sweep use case the CLI (and later the service) calls: request errors name their field, and a prepared
/// sweep knows its total before it runs.</summary>
public sealed class SweepRunTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aitrader-sweeprun-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private AppSettings Settings => new() { DataDir = Path.Combine(_dir, "data"), ArtifactsDir = Path.Combine(_dir, "artifacts"), BarCacheDir = "off" };

    private static SweepRequest Request(decimal capital = 100_000m, int? parallelism = null, string grid = "lookback=20,40",
        WalkForwardRequest? walkForward = null) =>
        new(new Symbol("SPY"), "breakout", ParameterGrid.Parse(grid), Timeframe.OneDay, new DateOnly(2010, 1, 1), new DateOnly(2012, 12, 31),
            RankMetrics.Parse("sharpe"), capital, new Dictionary<string, string>(), WalkForward: walkForward, Parallelism: parallelism);

    [Theory]
    [InlineData(0, null, "lookback=20", "capital", "--capital must be greater than 0 (got 0).")]
    [InlineData(100_000, 0, "lookback=20", "parallelism", "--parallelism must be at least 1 (got 0).")]
    [InlineData(100_000, null, "lookback=0", "grid", "lookback=0")]
    public async Task A_bad_request_names_its_field(int capital, int? parallelism, string grid, string field, string message)
    {
        var error = await Assert.ThrowsAsync<RequestException>(() => SweepRun.PrepareAsync(Request(capital, parallelism, grid), Settings, default));
        Assert.Equal(field, error.Field);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "artifacts")), "nothing is written for a refused request");
    }

    [Fact]
    public async Task A_prepared_sweep_counts_its_backtests_and_reports_each()
    {
        var prepared = await SweepRun.PrepareAsync(Request(), Settings, default);
        Assert.Equal(2, prepared.Total);
        var seen = new List<int>();
        var outcome = prepared.Run(new SyncProgress(seen), default);
        Assert.Equal(2, outcome.Sweep!.Rows.Count);
        Assert.Equal(2, seen.Max());
        Assert.All(outcome.Files, f => Assert.True(File.Exists(f), f));

        var walk = await SweepRun.PrepareAsync(Request(walkForward: new WalkForwardRequest(InSampleBars: 252, OutOfSampleBars: 126)), Settings, default);
        // Windows start every 126 bars while 252 in-sample bars still leave one to test: ceil((n − 252) / 126) of them
        // (4 for the 754 sessions of 2010-2012), each tuning both cells and testing the best.
        var windows = (int)Math.Ceiling((walk.Series.Bars.Count - 252) / 126.0);
        Assert.Equal(4, windows);
        Assert.Equal(windows * 3, walk.Total);
    }

    private sealed class SyncProgress(List<int> seen) : IProgress<int>
    {
        public void Report(int value)
        {
            lock (seen)
            {
                seen.Add(value);
            }
        }
    }
}
