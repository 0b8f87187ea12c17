using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.Reporting.Sweeps;
using AiTrader.Core.Tests.Backtesting;
using AiTrader.Reporting.Sweeps;

namespace AiTrader.Core.Tests.Sweeps;

[Collection(AiTrader.Core.Tests.Sweeps.CpuHeavyCollection.Name)]
public class SweepRunnerTests
{
    private static readonly AiTrader.Core.MarketData.BarSeries Series = TestBars.Series(TestBars.RandomWalk(600, seed: 7));

    private static SweepOptions Options(int parallelism, RankMetric rankBy = RankMetric.Sharpe) => new()
    {
        Strategy = "breakout",
        BaseParameters = new Dictionary<string, string> { ["atr_period"] = "10" },
        RankBy = rankBy,
        MaxDegreeOfParallelism = parallelism,
    };

    [Fact]
    public void The_csv_is_byte_identical_for_one_and_four_workers()
    {
        var grid = ParameterGrid.Parse("lookback=5:40:5,atr_multiplier=1.5:4:0.5");

        var one = SweepCsv.Render(new SweepRunner(Options(1)).Run(Series, grid));
        var four = SweepCsv.Render(new SweepRunner(Options(4)).Run(Series, grid));

        Assert.Equal(one, four);
        Assert.Equal(grid.Count + 1, one.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.StartsWith("lookback,atr_multiplier,trades,total_return,cagr,sharpe,sortino,max_drawdown,win_rate,profit_factor,final_equity,risk_free_rate\n", one);
    }

    [Fact]
    public void Each_combination_matches_a_standalone_backtest_with_the_same_parameters()
    {
        var grid = ParameterGrid.Parse("lookback=10,30,atr_multiplier=2,3");
        var result = new SweepRunner(Options(4)).Run(Series, grid);

        foreach (var row in result.Rows)
        {
            var strategy = AiTrader.Core.Strategies.StrategyCatalog.Create("breakout", row.Combination.ToParameters(Options(1).BaseParameters));
            var alone = new BacktestEngine().Run(Series, strategy);
            Assert.Equal(alone.FinalEquity, row.Metrics.FinalEquity);
            Assert.Equal(alone.Trades.Count, row.Metrics.Trades);
        }

        Assert.Equal(Enumerable.Range(0, grid.Count), result.Rows.Select(r => r.Combination.Index));
    }

    [Fact]
    public void Progress_counts_every_combination()
    {
        var grid = ParameterGrid.Parse("lookback=10:30:10,atr_multiplier=2,3");
        var reports = new System.Collections.Concurrent.ConcurrentBag<int>();

        new SweepRunner(Options(2)).Run(Series, grid, new InlineProgress(reports.Add));

        Assert.Equal(Enumerable.Range(1, grid.Count), reports.Order());
    }

    [Fact]
    public void A_bad_value_fails_before_any_backtest_runs()
    {
        var grid = ParameterGrid.Parse("lookback=10,0");
        var reports = new List<int>();

        var ex = Assert.Throws<ArgumentException>(() => new SweepRunner(Options(2)).Run(Series, grid, new InlineProgress(reports.Add)));

        Assert.Contains("lookback", ex.Message);
        Assert.Empty(reports);
    }

    [Fact]
    public void Ranking_puts_undefined_scores_last_and_breaks_ties_by_index()
    {
        var grid = ParameterGrid.Parse("n=0:5");
        double?[] scores = [0.5, null, 1.2, 0.5, null, -3];
        var metrics = new SweepRunner(Options(1)).Run(Series, ParameterGrid.Parse("lookback=20")).Rows[0].Metrics;
        var rows = grid.Combinations().Select(c => new SweepRow(c, metrics, scores[c.Index])).ToArray();

        var ranked = SweepRunner.Rank(rows);

        Assert.Equal([2, 0, 3, 5, 1, 4], ranked.Select(r => r.Combination.Index));
    }

    [Fact]
    public void Rank_metric_parses_the_cli_names_and_reads_the_metric()
    {
        Assert.Equal(RankMetric.TotalReturn, RankMetrics.Parse("total_return"));
        Assert.Equal(RankMetric.ProfitFactor, RankMetrics.Parse("Profit-Factor"));
        Assert.Contains("sharpe, cagr, total_return, calmar, profit_factor", Assert.Throws<FormatException>(() => RankMetrics.Parse("sortino")).Message);

        var result = new SweepRunner(Options(1, RankMetric.Cagr)).Run(Series, ParameterGrid.Parse("lookback=20"));
        Assert.Equal(result.Rows[0].Metrics.Cagr, result.Rows[0].Score);
    }

    [Fact]
    public void The_heatmap_slices_through_the_best_combination()
    {
        var grid = ParameterGrid.Parse("lookback=10,20,30,atr_multiplier=2,3,atr_period=7,14");
        var result = new SweepRunner(Options(2)).Run(Series, grid);

        var map = SweepHeatmap.From(result);
        var best = result.Best.Combination;

        Assert.Equal(["10", "20", "30"], map.XValues);
        Assert.Equal(["2", "3"], map.YValues);
        Assert.Equal("atr_period", Assert.Single(map.Fixed).Key);
        Assert.Equal(best.Values[2], map.Fixed[0].Value);
        var x = map.XValues.ToList().IndexOf(best.Values[0]);
        var y = map.YValues.ToList().IndexOf(best.Values[1]);
        Assert.Equal(result.Best.Score, map.Cells[y][x]);

        var svg = SweepHeatmapSvg.Render(map, "T <&>");
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"", svg);
        Assert.Contains("T &lt;&amp;&gt;", svg);
        Assert.Equal(grid.Count / 2, CountOf(svg, "<rect x=") - 1);
        System.Xml.Linq.XDocument.Parse(svg);
        Assert.Contains(svg, SweepHeatmapSvg.RenderHtml(map, "T <&>"));
    }

    [Fact]
    public void A_one_parameter_grid_draws_one_row()
    {
        var result = new SweepRunner(Options(1)).Run(Series, ParameterGrid.Parse("lookback=10,20"));
        var map = SweepHeatmap.From(result);

        Assert.Null(map.YName);
        Assert.Single(map.Cells);
        Assert.Equal(2, map.Cells[0].Count);
    }

    [Fact]
    public void The_report_writer_puts_three_files_in_the_folder_and_the_png_when_asked()
    {
        var dir = Path.Combine(Path.GetTempPath(), "aitrader-sweep-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = new SweepRunner(Options(2)).Run(Series, ParameterGrid.Parse("lookback=10,20,atr_multiplier=2,3"));
            var files = SweepReportWriter.Write(dir, result, "test");

            Assert.Equal(SweepCsv.Render(result), File.ReadAllText(files.Csv));
            Assert.True(File.Exists(files.HeatmapSvg));
            Assert.True(File.Exists(files.HeatmapHtml));
            Assert.Null(files.HeatmapPng);
            Assert.Equal(3, Directory.GetFiles(dir).Length);

            files = SweepReportWriter.Write(dir, result, "test", png: true);

            Assert.Equal(SweepHeatmapPng.Encode(SweepHeatmap.From(result), "test"), File.ReadAllBytes(files.HeatmapPng!));
            Assert.Equal(4, Directory.GetFiles(dir).Length);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static int CountOf(string text, string part) =>
        (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;

    /// <summary>Calls back on the reporting thread (System.Progress would post to the thread pool and arrive late).</summary>
    internal sealed class InlineProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
