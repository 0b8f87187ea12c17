using AiTrader.Core.Domain;
using AiTrader.Core.Signals.Indicators;
using AiTrader.Core.Tests.Backtesting;
using static AiTrader.Core.Tests.Signals.Indicators.IndicatorTestData;

namespace AiTrader.Core.Tests.Signals.Indicators;

/// <summary>Batch arrays equal streaming values bit for bit, and a prefix of the series gives a prefix of the values.</summary>
public class IndicatorBatchTests
{
    private static readonly List<Bar> Daily = TestBars.RandomWalk(2000, seed: 77);
    private static readonly List<Bar> Intraday5 = Intraday(sessions: 25, seed: 78);

    /// <summary>Every indicator as one batch computation, flattened to double?[] columns by CSV name.</summary>
    private static Dictionary<string, double?[]> AllColumns(IReadOnlyList<Bar> daily, IReadOnlyList<Bar> intraday)
    {
        var donchian = IndicatorBatch.Donchian(daily, 20);
        var bands = IndicatorBatch.Bollinger(daily, 20, 2);
        return new Dictionary<string, double?[]>
        {
            ["tr"] = IndicatorBatch.TrueRange(daily),
            ["sma_20"] = IndicatorBatch.Sma(daily, 20),
            ["ema_20"] = IndicatorBatch.Ema(daily, 20),
            ["atr_14"] = IndicatorBatch.Atr(daily, 14),
            ["rsi_14"] = IndicatorBatch.Rsi(daily, 14),
            ["donchian_high_20"] = donchian.Select(d => d?.Upper).ToArray(),
            ["donchian_low_20"] = donchian.Select(d => d?.Lower).ToArray(),
            ["zscore_20"] = IndicatorBatch.ZScore(daily, 20),
            ["bb_upper_20"] = bands.Select(b => b?.Upper).ToArray(),
            ["bb_lower_20"] = bands.Select(b => b?.Lower).ToArray(),
            ["vol_20"] = IndicatorBatch.Volatility(daily, 20),
            ["rvol_daily"] = IndicatorBatch.RelativeVolume(daily, Timeframe.OneDay, 10),
            ["vwap"] = IndicatorBatch.SessionVwap(intraday),
            ["gap_pct"] = IndicatorBatch.GapPercent(intraday),
            ["rvol"] = IndicatorBatch.RelativeVolume(intraday, Timeframe.FiveMinutes, 10),
        };
    }

    [Fact]
    public void Batch_equals_streaming_exactly()
    {
        var batch = AllColumns(Daily, Intraday5);

        Assert.Equal(Daily.Select(new TrueRange().Update), batch["tr"]);
        Assert.Equal(Daily.Select(new SimpleMovingAverage(20).Update), batch["sma_20"]);
        Assert.Equal(Daily.Select(new ExponentialMovingAverage(20).Update), batch["ema_20"]);
        Assert.Equal(Daily.Select(new AverageTrueRange(14).Update), batch["atr_14"]);
        Assert.Equal(Daily.Select(new RelativeStrengthIndex(14).Update), batch["rsi_14"]);
        var channel = new DonchianChannel(20);
        Assert.Equal(Daily.Select(b => channel.Update(b)?.Upper), batch["donchian_high_20"]);
        var bands = new BollingerBands(20, 2);
        Assert.Equal(Daily.Select(b => bands.Update(b)?.Upper), batch["bb_upper_20"]);
        Assert.Equal(Daily.Select(new RollingZScore(20).Update), batch["zscore_20"]);
        Assert.Equal(Daily.Select(new RollingVolatility(20).Update), batch["vol_20"]);
        Assert.Equal(Daily.Select(new RelativeVolume(Timeframe.OneDay, 10).Update), batch["rvol_daily"]);
        Assert.Equal(Intraday5.Select(new SessionVwap().Update), batch["vwap"]);
        Assert.Equal(Intraday5.Select(new GapPercent().Update), batch["gap_pct"]);
        Assert.Equal(Intraday5.Select(new RelativeVolume(Timeframe.FiveMinutes, 10).Update), batch["rvol"]);
    }

    [Fact]
    public void Close_overloads_equal_bar_overloads()
    {
        var closes = Daily.Select(b => (double)b.Close).ToArray();

        Assert.Equal(IndicatorBatch.Sma(Daily, 20), IndicatorBatch.Sma(closes, 20));
        Assert.Equal(IndicatorBatch.Ema(Daily, 20), IndicatorBatch.Ema(closes, 20));
        Assert.Equal(IndicatorBatch.Rsi(Daily, 14), IndicatorBatch.Rsi(closes, 14));
        Assert.Equal(IndicatorBatch.Bollinger(Daily, 20), IndicatorBatch.Bollinger(closes, 20));
        Assert.Equal(IndicatorBatch.ZScore(Daily, 20), IndicatorBatch.ZScore(closes, 20));
        Assert.Equal(IndicatorBatch.Volatility(Daily, 20), IndicatorBatch.Volatility(closes, 20));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(20)]
    [InlineData(21)]
    [InlineData(333)]
    [InlineData(1000)]
    public void Values_up_to_k_do_not_change_when_the_series_is_cut_at_k(int k)
    {
        var full = AllColumns(Daily, Intraday5);
        var cut = AllColumns(Daily.Take(k).ToList(), Intraday5.Take(k).ToList());

        foreach (var (name, values) in cut)
        {
            Assert.True(values.SequenceEqual(full[name].Take(values.Length)), $"{name} changed when the series was cut at {k}");
        }
    }

    [Fact]
    public void Warm_up_indices_match_the_published_definitions()
    {
        var columns = AllColumns(Daily, Intraday5);

        Assert.Equal(1, FirstIndex(columns["tr"]));
        Assert.Equal(19, FirstIndex(columns["sma_20"]));
        Assert.Equal(19, FirstIndex(columns["ema_20"]));
        Assert.Equal(14, FirstIndex(columns["atr_14"]));
        Assert.Equal(14, FirstIndex(columns["rsi_14"]));
        Assert.Equal(19, FirstIndex(columns["donchian_high_20"]));
        Assert.Equal(19, FirstIndex(columns["donchian_low_20"]));
        Assert.Equal(19, FirstIndex(columns["zscore_20"]));
        Assert.Equal(19, FirstIndex(columns["bb_upper_20"]));
        Assert.Equal(19, FirstIndex(columns["bb_lower_20"]));
        Assert.Equal(20, FirstIndex(columns["vol_20"]));
        Assert.Equal(10, FirstIndex(columns["rvol_daily"]));
    }

    [Fact]
    public void Reset_starts_every_warm_up_again()
    {
        var sma = new SimpleMovingAverage(3);
        var ema = new ExponentialMovingAverage(3);
        var rsi = new RelativeStrengthIndex(3);
        var bands = new BollingerBands(3);
        var z = new RollingZScore(3);
        var vol = new RollingVolatility(3);
        var vwap = new SessionVwap();
        var gap = new GapPercent();
        var rvol = new RelativeVolume(Timeframe.OneDay, 2);
        foreach (var bar in Daily.Take(50))
        {
            sma.Update(bar);
            ema.Update(bar);
            rsi.Update(bar);
            bands.Update(bar);
            z.Update(bar);
            vol.Update(bar);
            vwap.Update(bar);
            gap.Update(bar);
            rvol.Update(bar);
        }

        Assert.True(sma.IsReady && ema.IsReady && rsi.IsReady && bands.IsReady && vol.IsReady && gap.IsReady && rvol.IsReady);
        sma.Reset();
        ema.Reset();
        rsi.Reset();
        bands.Reset();
        z.Reset();
        vol.Reset();
        vwap.Reset();
        gap.Reset();
        rvol.Reset();

        // After a reset each indicator must give exactly what a fresh one gives.
        var tail = Daily.Skip(50).Take(30).ToList();
        Assert.Equal(tail.Select(new SimpleMovingAverage(3).Update), tail.Select(sma.Update));
        Assert.Equal(tail.Select(new ExponentialMovingAverage(3).Update), tail.Select(ema.Update));
        Assert.Equal(tail.Select(new RelativeStrengthIndex(3).Update), tail.Select(rsi.Update));
        Assert.Equal(tail.Select(new BollingerBands(3).Update), tail.Select(bands.Update));
        Assert.Equal(tail.Select(new RollingZScore(3).Update), tail.Select(z.Update));
        Assert.Equal(tail.Select(new RollingVolatility(3).Update), tail.Select(vol.Update));
        Assert.Equal(tail.Select(new SessionVwap().Update), tail.Select(vwap.Update));
        Assert.Equal(tail.Select(new GapPercent().Update), tail.Select(gap.Update));
        Assert.Equal(tail.Select(new RelativeVolume(Timeframe.OneDay, 2).Update), tail.Select(rvol.Update));
        Assert.Equal(30, sma.Count);
    }

    [Fact]
    public void Invalid_parameters_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimpleMovingAverage(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialMovingAverage(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RelativeStrengthIndex(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BollingerBands(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BollingerBands(20, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RollingZScore(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RollingVolatility(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RollingVolatility(20, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RelativeVolume(Timeframe.OneDay, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RollingVolatility(3).Update(0.0));
    }
}
