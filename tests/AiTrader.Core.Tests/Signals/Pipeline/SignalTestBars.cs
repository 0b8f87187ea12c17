using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Core.Tests.MarketData;

namespace AiTrader.Core.Tests.Signals.Pipeline;

/// <summary>Bar series shared by the signal pipeline tests: bundled AAPL daily bars and seeded synthetic series.</summary>
internal static class SignalTestBars
{
    private static readonly Lazy<IReadOnlyList<Bar>> AaplDailyBars = new(() =>
        new CsvBarSource(TestData.SampleRoot, NyseCalendar.Instance)
            .GetBarsAsync(new BarRequest(new Symbol("AAPL"), Timeframe.OneDay)).GetAwaiter().GetResult().Bars);

    /// <summary>Split-adjusted AAPL daily bars from data/sample (1998–2021, ~5,850 bars).</summary>
    public static IReadOnlyList<Bar> AaplDaily => AaplDailyBars.Value;

    public static IReadOnlyList<Bar> Synthetic(Timeframe timeframe, int count, int seed = 7) =>
        new SyntheticBarGenerator(seed).Generate(new DateTime(2021, 1, 4, 14, 30, 0, DateTimeKind.Utc), timeframe, count,
            NyseCalendar.Instance).Bars;
}
