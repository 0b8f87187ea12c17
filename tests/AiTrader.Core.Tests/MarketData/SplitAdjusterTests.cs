using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using static AiTrader.Core.Tests.MarketData.TestData;

namespace AiTrader.Core.Tests.MarketData;

public sealed class SplitAdjusterTests
{
    private static IReadOnlyList<Bar> Adjusted(string symbol) =>
        SplitAdjuster.Adjust(CsvBarParser.ParseFile(Daily(symbol)), Splits(symbol));

    [Fact]
    public void Splits_file_loads_with_ratios_as_documented()
    {
        var all = CorporateActions.LoadSplits(Path.Combine(SampleRoot, "corporate_actions", "splits.csv"));
        Assert.Equal(16, all.Count);
        var aapl = all.Single(s => s.Symbol == new Symbol("AAPL") && s.ExDate == new DateOnly(2014, 6, 9));
        Assert.Equal((1m, 7m, 7m), (aapl.RatioFrom, aapl.RatioTo, aapl.Factor));
        var aig = all.Single(s => s.Symbol == new Symbol("AIG") && s.ExDate == new DateOnly(2009, 7, 1));
        Assert.Equal(0.05m, aig.Factor);
    }

    [Fact]
    public void Aapl_2014_close_is_divided_by_both_later_splits()
    {
        var raw = CsvBarParser.ParseFile(Daily("AAPL"));
        var adjusted = Adjusted("AAPL");
        var bar = At(adjusted, DailyStamp(2014, 6, 6));

        // 645.57 / 7 / 4 = 23.056071428…, rounded to 4 dp.
        Assert.Equal(23.0561m, bar.Close);
        Assert.Equal(At(raw, DailyStamp(2014, 6, 6)).Volume * 28, bar.Volume);

        // From the 7:1 ex-date until the 4:1 ex-date only the 2020 split applies; from 2020-08-31 bars are untouched.
        for (var i = 0; i < raw.Count; i++)
        {
            var date = ExchangeTime.SessionDate(raw[i].Timestamp);
            if (date >= new DateOnly(2020, 8, 31))
            {
                Assert.Equal(raw[i], adjusted[i]);
            }
            else if (date >= new DateOnly(2014, 6, 9))
            {
                Assert.Equal(Math.Round(raw[i].Close / 4, 4, MidpointRounding.AwayFromZero), adjusted[i].Close);
            }
        }
    }

    [Fact]
    public void Aig_reverse_split_multiplies_earlier_prices_by_20()
    {
        var raw = CsvBarParser.ParseFile(Daily("AIG"));
        var adjusted = Adjusted("AIG");
        var before = DailyStamp(2009, 6, 30);
        Assert.Equal(At(raw, before).Close * 20, At(adjusted, before).Close);
        Assert.Equal(At(raw, before).Volume / 20, At(adjusted, before).Volume);
        Assert.Equal(At(raw, DailyStamp(2009, 7, 1)), At(adjusted, DailyStamp(2009, 7, 1)));

        // 1998 bars also carry the three 1998–2000 splits: ×20 ÷ 1.5 ÷ 1.25 ÷ 1.5.
        var first = raw[0];
        Assert.Equal(Math.Round(first.Close * 20 / 1.5m / 1.25m / 1.5m, 4, MidpointRounding.AwayFromZero), adjusted[0].Close);
    }

    [Fact]
    public void No_split_day_shows_a_jump_once_adjusted()
    {
        var splits = CorporateActions.LoadSplits(Path.Combine(SampleRoot, "corporate_actions", "splits.csv"));
        foreach (var group in splits.GroupBy(s => s.Symbol))
        {
            var bars = SplitAdjuster.Adjust(CsvBarParser.ParseFile(Daily(group.Key.Value)), group);
            foreach (var split in group)
            {
                var i = bars.ToList().FindIndex(b => ExchangeTime.SessionDate(b.Timestamp) == split.ExDate);
                Assert.True(i > 0, $"{group.Key} has no bar on ex-date {split.ExDate}");
                var move = Math.Abs(Math.Log((double)(bars[i].Close / bars[i - 1].Close)));

                // Raw split days move by at least ln 1.5 ≈ 0.41 (the smallest ratio here is 3:2); adjusted they look like
                // the days around them. The loosest is AIG 2009-07-01 (−22%): AIG was falling hard that week, the raw
                // data shows −16% on 2009-06-30 too.
                Assert.True(move < 0.25, $"{group.Key} {split.ExDate}: |log return| {move:P1} after adjustment");
            }
        }

        var aapl = Adjusted("AAPL");
        var j = aapl.ToList().FindIndex(b => b.Timestamp == DailyStamp(2014, 6, 9));
        Assert.True(Math.Abs(Math.Log((double)(aapl[j].Close / aapl[j - 1].Close))) < 0.05);
    }

    [Fact]
    public void Adjusted_bars_stay_consistent_after_rounding()
    {
        var splits = CorporateActions.LoadSplits(Path.Combine(SampleRoot, "corporate_actions", "splits.csv"));
        foreach (var group in splits.GroupBy(s => s.Symbol))
        {
            foreach (var bar in SplitAdjuster.Adjust(CsvBarParser.ParseFile(Daily(group.Key.Value)), group))
            {
                Assert.True(bar.IsConsistent, $"{group.Key} {bar.Timestamp:O} {bar}");
                Assert.True(bar.Close.Scale <= SplitAdjuster.PriceDecimals);
            }
        }
    }

    [Fact]
    public void Midpoint_rounds_away_from_zero_and_volume_stays_exact()
    {
        var bar = new Bar(DailyStamp(2020, 1, 2), 0.00015m, 0.00025m, 0.00005m, 0.00015m, 7);
        var split = new SplitEvent("X", new DateOnly(2020, 1, 3), 3, 1); // 3 old become 1 new: prices ×3, volume ÷3
        var adjusted = Assert.Single(SplitAdjuster.Adjust([bar], [split]));
        Assert.Equal(0.0005m, adjusted.Open);   // 0.00045 → 0.0005
        Assert.Equal(0.0008m, adjusted.High);   // 0.00075 → 0.0008
        Assert.Equal(0.0002m, adjusted.Low);    // 0.00015 → 0.0002
        Assert.Equal(7m / 3m, adjusted.Volume);
    }
}
