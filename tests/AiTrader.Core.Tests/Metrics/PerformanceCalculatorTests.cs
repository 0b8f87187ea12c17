using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Tests.Metrics;

public class PerformanceCalculatorTests
{
    private const decimal Initial = 100_000m;

    // 16:00 New York in January (EST, UTC−5) is 21:00 UTC: a daily close.
    private static DateTime Close(int day) => new(2024, 1, day, 21, 0, 0, DateTimeKind.Utc);

    private static DateOnly Jan(int day) => new(2024, 1, day);

    /// <summary>Six daily closes with daily returns +2%, −1%, −2%, +3%, +1%, −1%.</summary>
    /// <remarks>
    /// 100000 × 1.02 = 102000 (Jan 2); × 0.99 = 100980 (Jan 3); × 0.98 = 98960.4 (Jan 4);
    /// × 1.03 = 101929.212 (Jan 5); × 1.01 = 102948.50412 (Jan 8); × 0.99 = 101919.0190788 (Jan 9).
    /// Gross exposures 1, 1, 0, 1, 0, 0.5 (position values equal to the equity, zero, or half of it).
    /// </remarks>
    private static IReadOnlyList<EquityPoint> SixDayCurve() =>
    [
        new(Close(2), 102000m, 102000m),
        new(Close(3), 100980m, 100980m),
        new(Close(4), 98960.4m, 0m),
        new(Close(5), 101929.212m, 101929.212m),
        new(Close(8), 102948.50412m, 0m),
        new(Close(9), 101919.0190788m, 50959.5095394m),
    ];

    [Fact]
    public void Daily_returns_are_relative_to_initial_capital_then_to_the_previous_close()
    {
        var daily = PerformanceCalculator.DailyReturns(Initial, SixDayCurve());

        double[] expected = [0.02, -0.01, -0.02, 0.03, 0.01, -0.01];
        Assert.Equal(6, daily.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], daily[i].Return, 12);
        }

        Assert.Equal([Jan(2), Jan(3), Jan(4), Jan(5), Jan(8), Jan(9)], daily.Select(d => d.Date));
    }

    [Fact]
    public void Return_statistics_match_hand_computation()
    {
        var m = PerformanceCalculator.Compute(Initial, SixDayCurve(), []);

        // N = 6; Σr = 0.02 − 0.01 − 0.02 + 0.03 + 0.01 − 0.01 = 0.02; mean = 0.02 / 6 = 0.0033333…
        Assert.Equal(6, m.TradingDays);
        Assert.Equal(0.02 / 6, m.MeanDailyReturn!.Value, 12);

        // Σr² = 0.0004 + 0.0001 + 0.0004 + 0.0009 + 0.0001 + 0.0001 = 0.002
        // Σ(r − mean)² = Σr² − N·mean² = 0.002 − 6 × (0.02/6)² = 0.002 − 0.0000666… = 0.0019333…
        // sample variance = 0.0019333… / 5 = 0.000386666…; std = √0.000386666… ≈ 0.0196638416
        Assert.Equal(0.0196638416, m.DailyVolatility!.Value, 9);

        // annualized vol = 0.0196638416 × √252 (15.8745078664) ≈ 0.3121538
        Assert.Equal(0.3121538, m.AnnualizedVolatility!.Value, 6);

        // Sharpe (rf = 0) = 0.0033333 / 0.0196638416 × 15.8745078664 = 0.169513 × 15.8745 ≈ 2.690981
        Assert.Equal(2.690981, m.Sharpe!.Value, 5);

        // Downside: min(r, 0) = 0, −0.01, −0.02, 0, 0, −0.01 → squares 0.0001 + 0.0004 + 0.0001 = 0.0006,
        // divided by all N = 6 periods → 0.0001, √ = 0.01.
        Assert.Equal(0.01, m.DownsideDeviation!.Value, 12);

        // Sortino = 0.0033333 / 0.01 × 15.8745078664 = 15.8745078664 / 3 ≈ 5.2915026
        Assert.Equal(5.2915026, m.Sortino!.Value, 6);
    }

    [Fact]
    public void Total_return_and_cagr_match_hand_computation()
    {
        var m = PerformanceCalculator.Compute(Initial, SixDayCurve(), []);

        Assert.Equal(101919.0190788m, m.FinalEquity);
        Assert.Equal(1919.0190788m, m.NetProfit);
        // 101919.0190788 / 100000 − 1 = 0.019190190788
        Assert.Equal(0.019190190788, m.TotalReturn, 12);
        // CAGR = 1.019190190788^(252/6 = 42) − 1; ln(1.019190190788) = 0.01900841…, × 42 = 0.798353…,
        // e^0.798353 = 2.221876 → 1.221876
        Assert.Equal(1.221876, m.Cagr!.Value, 5);
    }

    [Fact]
    public void Max_drawdown_has_peak_trough_recovery_and_longest_duration()
    {
        var m = PerformanceCalculator.Compute(Initial, SixDayCurve(), []);

        // Peak 102000 (Jan 2), trough 98960.4 (Jan 4): 1 − 98960.4/102000 = 1 − 0.99 × 0.98 = 1 − 0.9702 = 0.0298.
        Assert.Equal(0.0298, m.MaxDrawdown, 12);
        Assert.Equal(Jan(2), m.MaxDrawdownPeakDate);
        Assert.Equal(Jan(4), m.MaxDrawdownTroughDate);
        // Jan 5 (101929.212) is still below 102000; Jan 8 (102948.50412) is the first close back above it.
        Assert.Equal(Jan(8), m.MaxDrawdownRecoveryDate);
        // Under water Jan 2 → Jan 8 = 6 calendar days; then Jan 8 → Jan 9 (end, unrecovered) = 1 day. Longest: 6.
        Assert.Equal(6, m.MaxDrawdownDurationDays);
        // Calmar = 1.221876 / 0.0298 ≈ 41.00256
        Assert.Equal(41.00256, m.Calmar!.Value, 3);
    }

    [Fact]
    public void Exposure_is_time_in_market_and_average_gross_exposure()
    {
        var m = PerformanceCalculator.Compute(Initial, SixDayCurve(), []);

        // Exposures 1, 1, 0, 1, 0, 0.5: four of six points are > 0; mean = 3.5 / 6.
        Assert.Equal(4.0 / 6, m.Exposure, 12);
        Assert.Equal(3.5 / 6, m.AverageGrossExposure, 12);
    }

    [Fact]
    public void Risk_free_rate_is_compounded_to_a_daily_rate()
    {
        // rf chosen so that rf_daily = (1 + rf)^(1/252) − 1 = 0.001 exactly in real arithmetic.
        var options = new MetricsOptions(RiskFreeRate: Math.Pow(1.001, 252) - 1);

        var m = PerformanceCalculator.Compute(Initial, SixDayCurve(), [], options);

        // Sharpe = (0.0033333 − 0.001) / 0.0196638416 × 15.8745078664 = 0.118660 × 15.8745 ≈ 1.883687
        Assert.Equal(1.883687, m.Sharpe!.Value, 5);
        // r − 0.001 = 0.019, −0.011, −0.021, 0.029, 0.009, −0.011; shortfalls² = 0.000121 + 0.000441 + 0.000121
        // = 0.000683; / 6 = 0.000113833…; √ = 0.01066927
        Assert.Equal(0.01066927, m.DownsideDeviation!.Value, 7);
        // Sortino = 0.0023333 / 0.01066927 × 15.8745078664 ≈ 3.471701
        Assert.Equal(3.471701, m.Sortino!.Value, 5);
    }

    [Fact]
    public void A_five_percent_risk_free_rate_lowers_sharpe_and_sortino_by_hand_computed_amounts()
    {
        var flat = PerformanceCalculator.Compute(Initial, SixDayCurve(), []);
        var m = PerformanceCalculator.Compute(Initial, SixDayCurve(), [], new MetricsOptions(RiskFreeRate: 0.05));

        // The rate the ratios assume is recorded with them.
        Assert.Equal(0.0, flat.RiskFreeRate);
        Assert.Equal(0.05, m.RiskFreeRate);
        // rf_d = 1.05^(1/252) − 1: ln 1.05 = 0.0487901642, / 252 = 0.000193611763, e^x − 1 = x + x²/2 + … = 0.000193630507.
        // Sharpe (rf = 0) = 2.690981 (above); Sharpe (rf = 5%) = (0.0033333333 − 0.0001936305) / 0.0196638416 × 15.8745078664
        // = 0.0031397028 / 0.0196638416 × 15.8745078664 = 0.1596688 × 15.8745 ≈ 2.534664
        Assert.Equal(2.690981, flat.Sharpe!.Value, 5);
        Assert.Equal(2.534664, m.Sharpe!.Value, 5);
        // Shortfalls r − rf_d below 0: −0.0101936305, −0.0201936305, −0.0101936305; squares 0.0001039101 + 0.0004077827
        // + 0.0001039101 = 0.0006156029; / 6 = 0.0001026005; √ = 0.0101291898.
        Assert.Equal(0.0101291898, m.DownsideDeviation!.Value, 9);
        // Sortino = 0.0031397028 / 0.0101291898 × 15.8745078664 ≈ 4.920555
        Assert.Equal(4.920555, m.Sortino!.Value, 5);
        // Nothing else depends on the rate.
        Assert.Equal(flat.Cagr, m.Cagr);
        Assert.Equal(flat.AnnualizedVolatility, m.AnnualizedVolatility);
        Assert.Equal(flat.MaxDrawdown, m.MaxDrawdown);
    }

    [Fact]
    public void Initial_capital_is_the_first_peak_and_an_unrecovered_drawdown_has_no_recovery_date()
    {
        IReadOnlyList<EquityPoint> equity =
        [
            new(Close(2), 99000m, 1m),
            new(Close(3), 98000m, 1m),
            new(Close(4), 99500m, 1m),
        ];

        var m = PerformanceCalculator.Compute(Initial, equity, []);

        // Peak is the initial 100000 (dated by the first point, Jan 2); trough 98000: 1 − 0.98 = 0.02.
        Assert.Equal(0.02, m.MaxDrawdown, 12);
        Assert.Equal(Jan(2), m.MaxDrawdownPeakDate);
        Assert.Equal(Jan(3), m.MaxDrawdownTroughDate);
        Assert.Null(m.MaxDrawdownRecoveryDate);
        // Still under water at the end: Jan 2 → Jan 4 = 2 days.
        Assert.Equal(2, m.MaxDrawdownDurationDays);
    }

    [Fact]
    public void Intraday_points_collapse_to_the_last_point_of_each_New_York_date()
    {
        IReadOnlyList<EquityPoint> equity =
        [
            new(new DateTime(2024, 1, 2, 15, 0, 0, DateTimeKind.Utc), 100500m, 1m), // 10:00 ET Jan 2
            new(new DateTime(2024, 1, 2, 21, 0, 0, DateTimeKind.Utc), 99000m, 1m), // 16:00 ET Jan 2
            new(new DateTime(2024, 1, 3, 0, 30, 0, DateTimeKind.Utc), 101000m, 1m), // 19:30 ET Jan 2 (after hours)
            new(new DateTime(2024, 1, 3, 15, 0, 0, DateTimeKind.Utc), 100000m, 1m), // 10:00 ET Jan 3
            new(new DateTime(2024, 1, 3, 21, 0, 0, DateTimeKind.Utc), 102010m, 1m), // 16:00 ET Jan 3
        ];

        var daily = PerformanceCalculator.DailyReturns(Initial, equity);
        var m = PerformanceCalculator.Compute(Initial, equity, []);

        // Jan 2 ends with the 00:30Z point (101000): r = 101000/100000 − 1 = 0.01.
        // Jan 3 ends at 102010: r = 102010/101000 − 1 = 0.01.
        Assert.Equal([Jan(2), Jan(3)], daily.Select(d => d.Date));
        Assert.Equal([101000m, 102010m], daily.Select(d => d.Equity));
        Assert.Equal(0.01, daily[0].Return, 12);
        Assert.Equal(0.01, daily[1].Return, 12);
        Assert.Equal(2, m.TradingDays);
        // Two identical returns: zero volatility, so Sharpe is undefined rather than huge.
        Assert.Null(m.Sharpe);

        // Drawdown still sees the intraday dip: peak 100500, low 99000 → 1500/100500 = 0.0149253731…,
        // recovered by the 00:30Z point, whose session date is Jan 2.
        Assert.Equal(1500.0 / 100500.0, m.MaxDrawdown, 12);
        Assert.Equal(Jan(2), m.MaxDrawdownPeakDate);
        Assert.Equal(Jan(2), m.MaxDrawdownTroughDate);
        Assert.Equal(Jan(2), m.MaxDrawdownRecoveryDate);
        // The 00:30Z point (101000) is a new peak dated Jan 2; Jan 3 dips to 100000 and recovers the same day at
        // 102010, so that stretch runs Jan 2 → Jan 3 = 1 day, longer than the 0-day dip inside Jan 2.
        Assert.Equal(1, m.MaxDrawdownDurationDays);
    }

    [Fact]
    public void Trade_statistics_match_hand_computation()
    {
        var t0 = new DateTime(2024, 1, 2, 14, 30, 0, DateTimeKind.Utc);
        IReadOnlyList<TradeRecord> trades =
        [
            Trade(300m, 1m, t0, days: 1),
            Trade(-100m, 2m, t0, days: 2),
            Trade(600m, 1.5m, t0, days: 3),
            Trade(150m, 0.5m, t0, days: 1),
            Trade(-200m, 2m, t0, days: 2),
            Trade(0m, 1m, t0, days: 3),
        ];

        var m = PerformanceCalculator.Compute(Initial, [], trades);

        Assert.Equal(6, m.Trades);
        Assert.Equal(3, m.Wins); // 300, 600, 150
        Assert.Equal(2, m.Losses); // −100, −200; the 0 trade is neither
        Assert.Equal(0.5, m.WinRate!.Value, 12); // 3 / 6
        Assert.Equal(1050m, m.GrossProfit); // 300 + 600 + 150
        Assert.Equal(-300m, m.GrossLoss); // −100 − 200
        Assert.Equal(750m, m.TotalPnl);
        Assert.Equal(350m, m.AverageWin); // 1050 / 3
        Assert.Equal(-150m, m.AverageLoss); // −300 / 2
        Assert.Equal(350.0 / 150.0, m.PayoffRatio!.Value, 12); // 350 / |−150| = 2.333…
        Assert.Equal(3.5, m.ProfitFactor!.Value, 12); // 1050 / 300
        Assert.Equal(600m, m.LargestWin);
        Assert.Equal(-200m, m.LargestLoss);
        Assert.Equal(TimeSpan.FromDays(2), m.AverageHoldingPeriod); // (1+2+3+1+2+3) / 6 = 2 days
        Assert.Equal(8m, m.TotalFees); // 1 + 2 + 1.5 + 0.5 + 2 + 1
    }

    [Fact]
    public void No_losing_trade_leaves_profit_factor_and_payoff_undefined()
    {
        var t0 = new DateTime(2024, 1, 2, 14, 30, 0, DateTimeKind.Utc);
        var m = PerformanceCalculator.Compute(Initial, [], [Trade(100m, 1m, t0, 1), Trade(50m, 1m, t0, 1)]);

        Assert.Equal(1.0, m.WinRate);
        Assert.Null(m.ProfitFactor);
        Assert.Null(m.PayoffRatio);
        Assert.Null(m.AverageLoss);
        Assert.Null(m.LargestLoss);
        Assert.Equal(75m, m.AverageWin);
    }

    [Fact]
    public void Only_losing_trades_give_a_zero_profit_factor()
    {
        var t0 = new DateTime(2024, 1, 2, 14, 30, 0, DateTimeKind.Utc);
        var m = PerformanceCalculator.Compute(Initial, [], [Trade(-100m, 1m, t0, 1)]);

        Assert.Equal(0.0, m.ProfitFactor);
        Assert.Equal(0.0, m.WinRate);
        Assert.Null(m.AverageWin);
        Assert.Null(m.PayoffRatio);
    }

    [Fact]
    public void No_trades_leaves_trade_ratios_undefined()
    {
        var m = PerformanceCalculator.Compute(Initial, SixDayCurve(), []);

        Assert.Equal(0, m.Trades);
        Assert.Null(m.WinRate);
        Assert.Null(m.ProfitFactor);
        Assert.Null(m.AverageWin);
        Assert.Null(m.AverageLoss);
        Assert.Null(m.AverageHoldingPeriod);
        Assert.Equal(0m, m.TotalFees);
    }

    [Fact]
    public void Flat_equity_has_no_sharpe_sortino_or_calmar()
    {
        IReadOnlyList<EquityPoint> equity =
            [new(Close(2), Initial, 0m), new(Close(3), Initial, 0m), new(Close(4), Initial, 0m)];

        var m = PerformanceCalculator.Compute(Initial, equity, []);

        Assert.Equal(0.0, m.TotalReturn);
        Assert.Equal(0.0, m.Cagr);
        Assert.Equal(0.0, m.AnnualizedVolatility);
        Assert.Null(m.Sharpe);
        Assert.Null(m.Sortino);
        Assert.Equal(0.0, m.MaxDrawdown);
        Assert.Null(m.MaxDrawdownPeakDate);
        Assert.Null(m.Calmar);
        Assert.Equal(0.0, m.Exposure);
    }

    [Fact]
    public void Empty_curve_reports_initial_capital_and_no_annualized_figures()
    {
        var m = PerformanceCalculator.Compute(Initial, [], []);

        Assert.Equal(Initial, m.FinalEquity);
        Assert.Equal(0.0, m.TotalReturn);
        Assert.Equal(0, m.TradingDays);
        Assert.Null(m.Cagr);
        Assert.Null(m.MeanDailyReturn);
        Assert.Null(m.DailyVolatility);
        Assert.Null(m.Sharpe);
        Assert.Null(m.Sortino);
        Assert.Equal(0.0, m.MaxDrawdown);
    }

    [Fact]
    public void A_single_day_has_a_cagr_but_no_volatility()
    {
        var m = PerformanceCalculator.Compute(Initial, [new(Close(2), 100100m, 1m)], []);

        // 1.001^(252/1) − 1 = e^(252 × 0.00099950033) − 1 = e^0.25187408 − 1
        // = e^0.25 × e^0.00187408 − 1 = 1.2840254 × 1.0018758 − 1 ≈ 0.286434
        Assert.Equal(0.286434, m.Cagr!.Value, 5);
        Assert.Null(m.DailyVolatility);
        Assert.Null(m.Sharpe);
    }

    [Fact]
    public void Ruined_account_has_cagr_of_minus_one()
    {
        var m = PerformanceCalculator.Compute(Initial, [new(Close(2), 50000m, 1m), new(Close(3), -10m, 1m)], []);

        Assert.Equal(-1.0, m.Cagr);
        Assert.True(m.MaxDrawdown > 1);
    }

    [Fact]
    public void Out_of_order_equity_and_non_positive_capital_are_rejected()
    {
        Assert.Throws<ArgumentException>(() =>
            PerformanceCalculator.Compute(Initial, [new(Close(3), Initial, 0m), new(Close(2), Initial, 0m)], []));
        Assert.Throws<ArgumentOutOfRangeException>(() => PerformanceCalculator.Compute(0m, [], []));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            PerformanceCalculator.Compute(Initial, [], [], new MetricsOptions(TradingDaysPerYear: 0)));
    }

    private static TradeRecord Trade(decimal pnl, decimal fees, DateTime entry, int days) =>
        new(new Symbol("AAPL"), PositionSide.Long, 10m, entry, 100m, entry.AddDays(days), 100m + pnl / 10m, pnl, fees,
            ExitReasons.Signal);
}
