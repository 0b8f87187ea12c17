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
}
