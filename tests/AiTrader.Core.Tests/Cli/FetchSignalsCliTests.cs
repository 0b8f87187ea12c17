using System.Globalization;
using AiTrader.Cli;

namespace AiTrader.Core.Tests.Cli;

/// <summary>A DAL fetch carries the probabilistic signals: the CLI prints the regime and can write the frames.</summary>
[Trait("Category", "Cli")]
public sealed class FetchSignalsCliTests
{
    [Fact]
    public async Task Fetch_from_the_sample_vendor_writes_signals_with_a_regime_per_bar()
    {
        var path = Path.Combine(Path.GetTempPath(), $"aitrader-fetch-signals-{Guid.NewGuid():N}.csv");
        try
        {
            var stdout = new StringWriter(CultureInfo.InvariantCulture);
            var stderr = new StringWriter(CultureInfo.InvariantCulture);
            var code = await AiTraderApp.RunAsync(
                ["fetch", "--symbol", "AAPL", "--interval", "1Day", "--vendor", "sample", "--start", "2019-01-01",
                    "--end", "2019-12-31", "--signals-out", path], stdout, stderr);

            Assert.True(code == 0, stderr.ToString());
            Assert.Contains("regime", stdout.ToString());
            Assert.Contains($"wrote {path} (252 signal rows)", stdout.ToString());
            Assert.Contains("bars not saved to a file: add --out <file.csv> to save them as CSV.", stdout.ToString());
            var lines = File.ReadAllLines(path);
            Assert.StartsWith("timestamp,close,filtered_price,velocity,price_variance,prob_up,regime,", lines[0]);
            Assert.Equal(252 + 1, lines.Length); // 252 NYSE sessions in 2019, one row each
            Assert.All(lines.Skip(1), l => Assert.False(string.IsNullOrEmpty(l.Split(',')[6])));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Fetch_says_where_it_saved_the_bars_or_that_it_saved_none()
    {
        var path = Path.Combine(Path.GetTempPath(), $"aitrader-fetch-{Guid.NewGuid():N}.csv");
        try
        {
            string[] fetch = ["fetch", "--symbol", "SPY", "--interval", "1Day", "--vendor", "sample", "--start", "2013-10-07", "--end", "2013-10-11"];
            var (code, output, err) = await TestSupport.CliRunner.Run(fetch);
            Assert.True(code == 0, err);
            Assert.Contains("bars not saved to a file: add --out <file.csv> to save them as CSV.", output);

            (code, output, err) = await TestSupport.CliRunner.Run([.. fetch, "--out", path]);
            Assert.True(code == 0, err);
            Assert.Contains($"wrote {path} (5 rows)", output);
            Assert.Equal(1 + 5, File.ReadAllLines(path).Length);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
