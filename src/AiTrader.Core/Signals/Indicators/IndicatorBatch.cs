using AiTrader.Core.Domain;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>Whole-series versions of every indicator: one array slot per bar, null during warm-up, identical to streaming.</summary>
/// <remarks>Each method runs the streaming indicator over the series, so batch and streaming can never disagree, and
/// slot i depends only on bars 0..i (no lookahead).</remarks>
public static class IndicatorBatch
{
    public static double?[] TrueRange(IReadOnlyList<Bar> bars) => Run(bars, new TrueRange().Update);

    public static double?[] Atr(IReadOnlyList<Bar> bars, int period = 14) => Run(bars, new AverageTrueRange(period).Update);

    public static DonchianValue?[] Donchian(IReadOnlyList<Bar> bars, int period = 20) => Run(bars, new DonchianChannel(period).Update);

    public static double?[] Sma(IReadOnlyList<Bar> bars, int period = 20) => Run(bars, new SimpleMovingAverage(period).Update);

    public static double?[] Sma(IReadOnlyList<double> values, int period = 20) => Run(values, new SimpleMovingAverage(period).Update);

    public static double?[] Ema(IReadOnlyList<Bar> bars, int period = 20) => Run(bars, new ExponentialMovingAverage(period).Update);

    public static double?[] Ema(IReadOnlyList<double> values, int period = 20) => Run(values, new ExponentialMovingAverage(period).Update);

    public static double?[] Rsi(IReadOnlyList<Bar> bars, int period = 14) => Run(bars, new RelativeStrengthIndex(period).Update);

    public static double?[] Rsi(IReadOnlyList<double> values, int period = 14) => Run(values, new RelativeStrengthIndex(period).Update);

    public static BollingerValue?[] Bollinger(IReadOnlyList<Bar> bars, int period = 20, double k = 2.0) =>
        Run(bars, new BollingerBands(period, k).Update);

    public static BollingerValue?[] Bollinger(IReadOnlyList<double> values, int period = 20, double k = 2.0) =>
        Run(values, new BollingerBands(period, k).Update);

    public static double?[] ZScore(IReadOnlyList<Bar> bars, int period = 20) => Run(bars, new RollingZScore(period).Update);

    public static double?[] ZScore(IReadOnlyList<double> values, int period = 20) => Run(values, new RollingZScore(period).Update);

    public static double?[] Volatility(IReadOnlyList<Bar> bars, int period = 20, double? periodsPerYear = null) =>
        Run(bars, new RollingVolatility(period, periodsPerYear).Update);

    public static double?[] Volatility(IReadOnlyList<double> closes, int period = 20, double? periodsPerYear = null) =>
        Run(closes, new RollingVolatility(period, periodsPerYear).Update);

    public static double?[] SessionVwap(IReadOnlyList<Bar> bars) => Run(bars, new SessionVwap().Update);

    public static double?[] GapPercent(IReadOnlyList<Bar> bars) => Run(bars, new GapPercent().Update);

    public static double?[] RelativeVolume(IReadOnlyList<Bar> bars, Timeframe timeframe, int lookbackSessions = 10, bool extendedHours = false) =>
        Run(bars, new RelativeVolume(timeframe, lookbackSessions, extendedHours).Update);

    private static TResult[] Run<TInput, TResult>(IReadOnlyList<TInput> inputs, Func<TInput, TResult> update)
    {
        var result = new TResult[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            result[i] = update(inputs[i]);
        }

        return result;
    }
}
