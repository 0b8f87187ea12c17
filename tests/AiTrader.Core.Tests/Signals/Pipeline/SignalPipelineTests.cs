using AiTrader.Core.Domain;
using AiTrader.Core.Signals;
using AiTrader.Core.Signals.Indicators;
using AiTrader.Core.Signals.Kalman;
using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Tests.Signals.Pipeline;

public sealed class SignalPipelineTests
{
    public static TheoryData<string> Series => new() { "aapl-daily", "synthetic-daily", "synthetic-5min" };

    private static (IReadOnlyList<Bar> Bars, Timeframe Timeframe) Load(string name) => name switch
    {
        "aapl-daily" => (SignalTestBars.AaplDaily, Timeframe.OneDay),
        "synthetic-daily" => (SignalTestBars.Synthetic(Timeframe.OneDay, 700), Timeframe.OneDay),
        "synthetic-5min" => (SignalTestBars.Synthetic(Timeframe.FiveMinutes, 78 * 15), Timeframe.FiveMinutes),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Series))]
    public void Streaming_and_batch_give_identical_frames(string series)
    {
        var (bars, timeframe) = Load(series);
        var batch = SignalPipeline.Run(bars, timeframe);
        var pipeline = new SignalPipeline(timeframe);
        for (var i = 0; i < bars.Count; i++)
        {
            var frame = pipeline.Update(bars[i]);
            Assert.Equal(batch[i], frame);
        }

        Assert.Equal(bars.Count, pipeline.Count);
    }

    [Theory]
    [MemberData(nameof(Series))]
    public void Every_column_comes_from_the_documented_building_block(string series)
    {
        var (bars, timeframe) = Load(series);
        var frames = SignalPipeline.Run(bars, timeframe);
        var closes = bars.Select(b => (double)b.Close).ToArray();
        var kalman = KalmanFilter.FilterCloses(bars);
        var regimes = RegimeClassifier.ClassifySeries(closes);
        var sma = IndicatorBatch.Sma(bars, 20);
        var ema = IndicatorBatch.Ema(bars, 20);
        var atr = IndicatorBatch.Atr(bars, 14);
        var rsi = IndicatorBatch.Rsi(bars, 14);
        var donchian = IndicatorBatch.Donchian(bars, 20);
        var bollinger = IndicatorBatch.Bollinger(bars, 20, 2);
        var z = IndicatorBatch.ZScore(bars, 20);
        var vol = IndicatorBatch.Volatility(bars, 20);
        var vwap = IndicatorBatch.SessionVwap(bars);
        var gap = IndicatorBatch.GapPercent(bars);
        var rvol = IndicatorBatch.RelativeVolume(bars, timeframe, 10);
        for (var i = 0; i < bars.Count; i++)
        {
            var f = frames[i];
            Assert.Equal(bars[i].Timestamp, f.Timestamp);
            Assert.Equal(bars[i].Close, f.Close);
            Assert.Equal(bars[i].Open, f.Open);
            Assert.Equal(bars[i].Volume, f.Volume);
            Assert.Equal(kalman[i], f.Kalman);
            Assert.Equal(kalman[i].FilteredPrice, f.FilteredPrice);
            Assert.Equal(kalman[i].Velocity, f.Velocity);
            Assert.Equal(kalman[i].ProbabilityVelocityPositive, f.ProbabilityUp);
            Assert.Equal(regimes[i], f.RegimeLabel);
            Assert.Equal(regimes[i].Regime, f.Regime);
            Assert.Equal(sma[i], f.Sma);
            Assert.Equal(ema[i], f.Ema);
            Assert.Equal(atr[i], f.Atr);
            Assert.Equal(rsi[i], f.Rsi);
            Assert.Equal(donchian[i]?.Upper, f.DonchianHigh);
            Assert.Equal(donchian[i]?.Lower, f.DonchianLow);
            Assert.Equal(bollinger[i]?.Upper, f.BollingerUpper);
            Assert.Equal(bollinger[i]?.Lower, f.BollingerLower);
            Assert.Equal(z[i], f.ZScore);
            Assert.Equal(vol[i], f.Volatility);
            Assert.Equal(timeframe.IsIntraday ? vwap[i] : null, f.Vwap);
            Assert.Equal(gap[i], f.GapPercent);
            Assert.Equal(rvol[i], f.RelativeVolume);
        }
    }

    [Fact]
    public void Warm_up_slots_are_null_and_fill_at_the_documented_bar()
    {
        var frames = SignalPipeline.Run(SignalTestBars.Synthetic(Timeframe.OneDay, 40), Timeframe.OneDay);
        for (var i = 0; i < 40; i++)
        {
            Assert.Equal(i >= 19, frames[i].Sma.HasValue);
            Assert.Equal(i >= 19, frames[i].Ema.HasValue);
            Assert.Equal(i >= 19, frames[i].DonchianHigh.HasValue);
            Assert.Equal(i >= 19, frames[i].BollingerUpper.HasValue);
            Assert.Equal(i >= 14, frames[i].Atr.HasValue);
            Assert.Equal(i >= 14, frames[i].Rsi.HasValue);
            Assert.Equal(i >= 20, frames[i].Volatility.HasValue);
            Assert.Null(frames[i].Vwap); // daily bars: VWAP would just be the typical price
            Assert.Equal(MarketRegime.Unknown, frames[i].Regime);
            Assert.True(frames[i].IsWarmup);
        }
    }

    [Fact]
    public void Price_variance_is_P00_in_price_units_by_the_delta_method()
    {
        var bars = SignalTestBars.Synthetic(Timeframe.OneDay, 200);
        foreach (var f in SignalPipeline.Run(bars, Timeframe.OneDay))
        {
            Assert.Equal(f.FilteredPrice * f.FilteredPrice * f.Kalman.P00, f.PriceVariance, 12);
            Assert.True(f.PriceVariance > 0);
        }

        var raw = new SignalPipelineOptions { Kalman = new KalmanOptions { UseLogPrice = false } };
        foreach (var f in SignalPipeline.Run(bars, Timeframe.OneDay, raw))
        {
            Assert.Equal(f.Kalman.P00, f.PriceVariance);
        }

        // Sanity: in log mode the delta-method variance is close to the raw filter's P00 (same data, same gains).
        var logFrames = SignalPipeline.Run(bars, Timeframe.OneDay);
        var rawFrames = SignalPipeline.Run(bars, Timeframe.OneDay, raw with { Kalman = new KalmanOptions { UseLogPrice = false } });
        var ratio = logFrames[^1].PriceVariance / rawFrames[^1].PriceVariance;
        Assert.InRange(ratio, 0.5, 2.0);
    }

    [Fact]
    public void Rejects_out_of_order_bars_and_bad_closes_without_changing_state()
    {
        var bars = SignalTestBars.Synthetic(Timeframe.OneDay, 30);
        var reference = SignalPipeline.Run(bars, Timeframe.OneDay);
        var pipeline = new SignalPipeline(Timeframe.OneDay);
        for (var i = 0; i < 10; i++)
        {
            pipeline.Update(bars[i]);
        }

        Assert.Throws<ArgumentException>(() => pipeline.Update(bars[9]));
        Assert.Throws<ArgumentException>(() => pipeline.Update(bars[3]));
        Assert.Throws<ArgumentException>(() => pipeline.Update(bars[10] with { Close = 0m }));
        Assert.Equal(10, pipeline.Count);
        for (var i = 10; i < bars.Count; i++)
        {
            Assert.Equal(reference[i], pipeline.Update(bars[i]));
        }
    }

    [Fact]
    public void Invalid_options_are_rejected_by_name()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SignalPipeline(Timeframe.OneDay, new SignalPipelineOptions { SmaPeriod = 0 }));
        Assert.Equal("SmaPeriod", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new SignalPipeline(Timeframe.OneDay, new SignalPipelineOptions { Regime = new RegimeOptions { MinimumDwellBars = 0 } }));
    }

    [Fact]
    public void Intraday_frames_carry_session_vwap_gap_and_rvol()
    {
        var bars = SignalTestBars.Synthetic(Timeframe.FiveMinutes, 78 * 12);
        var frames = SignalPipeline.Run(bars, Timeframe.FiveMinutes);
        Assert.All(frames, f => Assert.NotNull(f.Vwap));
        Assert.Null(frames[77].GapPercent); // first session: no previous close
        Assert.NotNull(frames[78].GapPercent);
        Assert.Null(frames[78 * 10 - 1].RelativeVolume); // only 9 past sessions
        Assert.NotNull(frames[78 * 10].RelativeVolume); // 10 past sessions reached 09:30
    }
}
