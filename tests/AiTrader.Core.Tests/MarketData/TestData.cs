using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.MarketData;

/// <summary>Paths to the repository's bundled sample data and small helpers shared by the market-data tests.</summary>
internal static class TestData
{
    public static string RepoRoot => TestPaths.RepoRoot;

    public static string SampleRoot => TestPaths.SampleRoot;

    public static string Daily(string symbol) => Path.Combine(SampleRoot, "daily", symbol + ".csv");

    public static string Minute(string symbol) => Path.Combine(SampleRoot, "minute", symbol + ".csv");

    public static IReadOnlyList<SplitEvent> Splits(string symbol) =>
        CorporateActions.LoadSplits(Path.Combine(SampleRoot, "corporate_actions", "splits.csv"))
            .Where(s => s.Symbol == new Symbol(symbol)).ToList();

    public static DateTime Utc(string iso) =>
        DateTime.Parse(iso, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);

    public static DateTime DailyStamp(int y, int m, int d) => ExchangeTime.ToUtc(new DateOnly(y, m, d), new TimeOnly(9, 30));

    public static Bar At(IReadOnlyList<Bar> bars, DateTime timestamp) => bars.Single(b => b.Timestamp == timestamp);

    public static Bar Minute(string iso, decimal o, decimal h, decimal l, decimal c, decimal v) => new(Utc(iso), o, h, l, c, v);
}
