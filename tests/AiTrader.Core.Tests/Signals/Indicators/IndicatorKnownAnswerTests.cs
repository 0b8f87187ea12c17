using AiTrader.Core.Domain;
using AiTrader.Core.Signals.Indicators;
using static AiTrader.Core.Tests.Signals.Indicators.IndicatorTestData;

namespace AiTrader.Core.Tests.Signals.Indicators;

/// <summary>Hand-computed answers on short series; the arithmetic is in the comments.</summary>
public class IndicatorKnownAnswerTests
{
    [Fact]
    public void Sma3_is_the_mean_of_the_last_three_values()
    {
        var values = IndicatorBatch.Sma([2.0, 4, 6, 8, 13], period: 3);

        Assert.Null(values[0]);
        Assert.Null(values[1]);
        Assert.Equal(4.0, values[2]);   // (2 + 4 + 6) / 3
        Assert.Equal(6.0, values[3]);   // (4 + 6 + 8) / 3
        Assert.Equal(9.0, values[4]);   // (6 + 8 + 13) / 3
    }

    [Fact]
    public void Ema3_is_seeded_with_the_sma_then_smoothed_with_alpha_one_half()
    {
        var values = IndicatorBatch.Ema([2.0, 4, 6, 8, 13, 7], period: 3);

        // α = 2 / (3 + 1) = 0.5
        Assert.Null(values[0]);
        Assert.Null(values[1]);
        Assert.Equal(4.0, values[2]);    // seed: (2 + 4 + 6) / 3
        Assert.Equal(6.0, values[3]);    // 4 + 0.5 · (8 − 4)
        Assert.Equal(9.5, values[4]);    // 6 + 0.5 · (13 − 6)
        Assert.Equal(8.25, values[5]);   // 9.5 + 0.5 · (7 − 9.5)
    }

    [Fact]
    public void Rsi3_uses_wilder_means_of_gains_and_losses()
    {
        // Changes: +1, +1, −1, +2, −1.
        var values = IndicatorBatch.Rsi([10.0, 11, 12, 11, 13, 12], period: 3);

        Assert.Null(values[0]);
        Assert.Null(values[1]);
        Assert.Null(values[2]);
        // Bar 3: mean gain (1 + 1 + 0) / 3 = 2/3, mean loss (0 + 0 + 1) / 3 = 1/3, RS = 2, RSI = 100 − 100/3.
        Close(100.0 - 100.0 / 3.0, values[3]!.Value, tolerance: 1e-12);
        // Bar 4 (+2): gain (2 · 2/3 + 2) / 3 = 10/9, loss (2 · 1/3 + 0) / 3 = 2/9, RS = 5, RSI = 100 − 100/6.
        Close(100.0 - 100.0 / 6.0, values[4]!.Value, tolerance: 1e-12);
        // Bar 5 (−1): gain (2 · 10/9) / 3 = 20/27, loss (2 · 2/9 + 1) / 3 = 13/27, RS = 20/13,
        // RSI = 100 − 100 / (33/13) = 2000/33.
        Close(2000.0 / 33.0, values[5]!.Value, tolerance: 1e-12);
    }

    [Fact]
    public void Rsi_is_100_when_the_mean_loss_is_zero_and_0_when_the_mean_gain_is_zero()
    {
        // Changes +1, +1, 0, +1: no losses at all.
        var rising = IndicatorBatch.Rsi([5.0, 6, 7, 7, 8], period: 3);
        Assert.Equal(100.0, rising[3]);
        Assert.Equal(100.0, rising[4]);

        // A flat series has mean loss 0 too, and the definition says 100.
        Assert.Equal(100.0, IndicatorBatch.Rsi([5.0, 5, 5, 5], period: 3)[3]);

        // Only losses: RS = 0, RSI = 100 − 100 / 1 = 0.
        Assert.Equal(0.0, IndicatorBatch.Rsi([9.0, 8, 7, 6], period: 3)[3]);
    }

    [Fact]
    public void Bollinger3_uses_the_population_standard_deviation()
    {
        var values = IndicatorBatch.Bollinger([1.0, 2, 3, 7], period: 3, k: 2);

        Assert.Null(values[0]);
        Assert.Null(values[1]);
        // Window 1, 2, 3: mean 2, deviations −1, 0, 1, Σd² = 2, σ = √(2/3) (divide by 3, not 2).
        var sigma = Math.Sqrt(2.0 / 3.0);
        var first = values[2]!.Value;
        Close(2.0, first.Middle, tolerance: 1e-12);
        Close(sigma, first.StdDev, tolerance: 1e-12);
        Close(2.0 + 2 * sigma, first.Upper, tolerance: 1e-12);
        Close(2.0 - 2 * sigma, first.Lower, tolerance: 1e-12);
        // Window 2, 3, 7: mean 4, deviations −2, −1, 3, Σd² = 14, σ = √(14/3).
        var second = values[3]!.Value;
        Close(4.0, second.Middle, tolerance: 1e-12);
        Close(Math.Sqrt(14.0 / 3.0), second.StdDev, tolerance: 1e-12);
        Close(4.0 + 2 * Math.Sqrt(14.0 / 3.0), second.Upper, tolerance: 1e-12);
    }

    [Fact]
    public void ZScore3_is_the_distance_from_the_mean_in_population_sigmas_and_absent_on_a_flat_window()
    {
        var values = IndicatorBatch.ZScore([1.0, 2, 3, 7, 5, 5, 5], period: 3);

        Assert.Null(values[0]);
        Assert.Null(values[1]);
        Close(1.0 / Math.Sqrt(2.0 / 3.0), values[2]!.Value, tolerance: 1e-12);   // (3 − 2) / √(2/3)
        Close(3.0 / Math.Sqrt(14.0 / 3.0), values[3]!.Value, tolerance: 1e-12);  // (7 − 4) / √(14/3)
        // Window 7, 5, 5: mean 17/3, deviations 4/3, −2/3, −2/3, Σd² = 24/9, σ = √(8/9); z = (5 − 17/3) / √(8/9).
        Close((5.0 - 17.0 / 3.0) / Math.Sqrt(8.0 / 9.0), values[5]!.Value, tolerance: 1e-12);
        Assert.Null(values[6]);   // 5, 5, 5: σ = 0
    }

    [Fact]
    public void Volatility3_is_the_sample_std_of_the_last_three_log_returns()
    {
        // Closes built so that the log returns are 0.01, 0.03, −0.02, 0.02.
        double[] returns = [0.01, 0.03, -0.02, 0.02];
        var closes = new List<double> { 100 };
        foreach (var r in returns)
        {
            closes.Add(closes[^1] * Math.Exp(r));
        }

        var values = IndicatorBatch.Volatility(closes, period: 3);
        var annual = IndicatorBatch.Volatility(closes, period: 3, periodsPerYear: 252);

        Assert.Equal(3, FirstIndex(values));
        // Returns 0.01, 0.03, −0.02 in units of 1/300: 3, 9, −6; mean 2; deviations 1, 7, −8; Σd² = 114/90000;
        // sample variance = 114/90000 / 2 = 57/90000; σ = √57 / 300.
        Close(Math.Sqrt(57.0) / 300.0, values[3]!.Value, tolerance: 1e-12);
        // Returns 0.03, −0.02, 0.02: mean 0.01; deviations 0.02, −0.03, 0.01; Σd² = 0.0014; variance 0.0007.
        Close(Math.Sqrt(0.0007), values[4]!.Value, tolerance: 1e-12);
        Close(Math.Sqrt(0.0007) * Math.Sqrt(252), annual[4]!.Value, tolerance: 1e-12);
    }

    [Fact]
    public void Session_vwap_accumulates_within_a_new_york_date_and_resets_on_the_next()
    {
        Bar[] bars =
        [
            // 2024-01-02: typical prices 10 and 12, then a bar that carries the vendor's VWAP of 20.
            At(2024, 1, 2, 9, 30, 10, 11, 9, 10, 100),
            At(2024, 1, 2, 9, 31, 12, 13, 11, 12, 300),
            At(2024, 1, 2, 9, 32, 15, 25, 15, 24, 100, vwap: 20),
            // 2024-01-03 opens with a zero-volume bar, then trades.
            At(2024, 1, 3, 9, 30, 20, 20, 20, 20, 0),
            At(2024, 1, 3, 9, 31, 20, 21, 19, 20, 50),
            // 19:30 ET on 2024-01-03 is 00:30Z on 2024-01-04: still the 2024-01-03 session.
            At(2024, 1, 3, 19, 30, 30, 31, 29, 30, 50),
        ];
        Assert.Equal(new DateTime(2024, 1, 4, 0, 30, 0, DateTimeKind.Utc), bars[5].Timestamp);

        var values = IndicatorBatch.SessionVwap(bars);

        Assert.Equal(10.0, values[0]);                                   // (11 + 9 + 10) / 3 = 10
        Close(11.5, values[1]!.Value, tolerance: 1e-12);                 // (10·100 + 12·300) / 400 = 4600 / 400
        Close(13.2, values[2]!.Value, tolerance: 1e-12);                 // (4600 + 20·100) / 500 = 6600 / 500
        Assert.Null(values[3]);                                          // reset; no volume yet
        Close(20.0, values[4]!.Value, tolerance: 1e-12);                 // (21 + 19 + 20) / 3 = 20
        Close(25.0, values[5]!.Value, tolerance: 1e-12);                 // (20·50 + 30·50) / 100
    }

    [Fact]
    public void Gap_is_open_over_the_previous_sessions_last_close_and_persists_through_the_session()
    {
        Bar[] bars =
        [
            At(2024, 1, 2, 9, 30, 100, 101, 99, 100, 10),
            At(2024, 1, 2, 15, 59, 101, 102, 100, 102, 10),
            // After-hours 19:30 ET = 00:30Z on 2024-01-03, but it belongs to the 2024-01-02 session: its close 104 is
            // that session's last close.
            At(2024, 1, 2, 19, 30, 103, 104, 103, 104, 10),
            At(2024, 1, 3, 9, 30, 109.2m, 110, 109, 109.5m, 10),
            At(2024, 1, 3, 9, 31, 200, 201, 109, 110, 10),
            At(2024, 1, 4, 9, 30, 99, 100, 98, 99, 10),
        ];
        Assert.Equal(new DateTime(2024, 1, 3, 0, 30, 0, DateTimeKind.Utc), bars[2].Timestamp);

        var values = IndicatorBatch.GapPercent(bars);

        Assert.Null(values[0]);
        Assert.Null(values[1]);
        Assert.Null(values[2]);                                   // still the first session
        Close(0.05, values[3]!.Value, tolerance: 1e-12);          // 109.2 / 104 − 1 = 0.05
        Close(0.05, values[4]!.Value, tolerance: 1e-12);          // persists; this bar's open 200 is not a gap
        Close(-0.1, values[5]!.Value, tolerance: 1e-12);          // 99 / 110 − 1
    }

    [Fact]
    public void Rvol_compares_cumulative_volume_with_the_same_minute_of_the_two_previous_sessions()
    {
        Bar[] bars =
        [
            // 2024-01-02: cumulative 100, 300, 600 at minutes 0, 1, 2.
            At(2024, 1, 2, 9, 30, 10, 10, 10, 10, 100),
            At(2024, 1, 2, 9, 31, 10, 10, 10, 10, 200),
            At(2024, 1, 2, 9, 32, 10, 10, 10, 10, 300),
            // 2024-01-03: no bar at minute 1, so its cumulative there is still 300; 400 at minute 2.
            At(2024, 1, 3, 9, 30, 10, 10, 10, 10, 300),
            At(2024, 1, 3, 9, 32, 10, 10, 10, 10, 100),
            // 2024-01-04: a pre-market bar (not counted in regular-hours RVOL), then the session.
            At(2024, 1, 4, 9, 0, 10, 10, 10, 10, 1000),
            At(2024, 1, 4, 9, 30, 10, 10, 10, 10, 400),
            At(2024, 1, 4, 9, 31, 10, 10, 10, 10, 50),
            At(2024, 1, 4, 9, 32, 10, 10, 10, 10, 50),
        ];

        var values = IndicatorBatch.RelativeVolume(bars, Timeframe.OneMinute, lookbackSessions: 2);

        // Fewer than two past sessions during the first two days.
        Assert.All(values[..5], v => Assert.Null(v));
        Assert.Null(values[5]);                            // before 09:30
        Close(2.0, values[6]!.Value, tolerance: 1e-12);    // 400 / ((100 + 300) / 2)
        Close(1.5, values[7]!.Value, tolerance: 1e-12);    // 450 / ((300 + 300) / 2)
        Close(1.0, values[8]!.Value, tolerance: 1e-12);    // 500 / ((600 + 400) / 2)
    }

    [Fact]
    public void Rvol_skips_past_sessions_that_never_reached_the_minute()
    {
        Bar[] bars =
        [
            At(2024, 1, 2, 9, 30, 10, 10, 10, 10, 100),
            At(2024, 1, 2, 10, 0, 10, 10, 10, 10, 100),    // 2024-01-02 reaches minute 30 with cumulative 200
            At(2024, 1, 3, 9, 30, 10, 10, 10, 10, 100),
            At(2024, 1, 3, 10, 0, 10, 10, 10, 10, 300),    // 2024-01-03 reaches minute 30 with cumulative 400
            At(2024, 1, 4, 9, 30, 10, 10, 10, 10, 100),    // 2024-01-04 stops at minute 0
            At(2024, 1, 5, 9, 30, 10, 10, 10, 10, 150),
            At(2024, 1, 5, 10, 0, 10, 10, 10, 10, 300),
        ];

        var values = IndicatorBatch.RelativeVolume(bars, Timeframe.OneMinute, lookbackSessions: 2);

        // 2024-01-05 minute 0: the last two sessions are 01-04 (100) and 01-03 (100): 150 / 100.
        Close(1.5, values[5]!.Value, tolerance: 1e-12);
        // Minute 30: 01-04 never got there, so the last two that did are 01-03 (400) and 01-02 (200): 450 / 300.
        Close(1.5, values[6]!.Value, tolerance: 1e-12);
    }

    [Fact]
    public void Daily_rvol_is_volume_over_the_mean_of_the_previous_n_bars()
    {
        var bars = new[] { 100m, 200m, 300m, 600m }
            .Select((v, i) => new Bar(new DateTime(2024, 1, 2 + i, 14, 30, 0, DateTimeKind.Utc), 10, 10, 10, 10, v))
            .ToArray();

        var values = IndicatorBatch.RelativeVolume(bars, Timeframe.OneDay, lookbackSessions: 2);

        Assert.Null(values[0]);
        Assert.Null(values[1]);
        Close(2.0, values[2]!.Value, tolerance: 1e-12);   // 300 / ((100 + 200) / 2)
        Close(2.4, values[3]!.Value, tolerance: 1e-12);   // 600 / ((200 + 300) / 2)
    }
}
