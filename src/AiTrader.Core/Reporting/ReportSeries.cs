using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Reporting;

/// <summary>The numbers a report draws, read once: equity and the underwater curve from one walk over the equity curve,
/// and the closes of the bars; the HTML and PNG charts downsample these arrays instead of each re-deriving the curve
/// point by point (a derived curve costs a binary search and decimal math per point read).</summary>
public sealed class ReportSeries
{
    private readonly IReadOnlyList<EquityPoint> _equity;
    private readonly IReadOnlyList<Bar> _bars;
    private readonly decimal _initialCapital;
    private double[]? _close;
    private IReadOnlyList<DailyReturn>? _daily;

    private ReportSeries(decimal initialCapital, IReadOnlyList<EquityPoint> equity, IReadOnlyList<Bar> bars, double[] equityValues,
        double[] drawdown, IReadOnlyList<DailyReturn>? daily)
    {
        _initialCapital = initialCapital;
        _equity = equity;
        _bars = bars;
        _daily = daily;
        Equity = equityValues;
        Drawdown = drawdown;
    }

    /// <summary>Equity at each point, as doubles.</summary>
    public double[] Equity { get; }

    /// <summary>Equity / running peak − 1 at each point (see <see cref="DrawdownSeries"/>).</summary>
    public double[] Drawdown { get; }

    /// <summary>Each bar's close as a double (read on first use).</summary>
    public double[] Close => _close ??= ReadCloses(_bars);

    /// <summary>The curve's daily returns (<see cref="PerformanceCalculator.DailyReturns"/>): the series handed to
    /// <see cref="From"/>, or computed on first use.</summary>
    public IReadOnlyList<DailyReturn> Daily => _daily ??= PerformanceCalculator.DailyReturns(_initialCapital, _equity);

    /// <summary>Reads <paramref name="equity"/> once (in order) and keeps <paramref name="bars"/> for the price chart.</summary>
    /// <param name="daily">The curve's daily returns when the caller already has them (the metrics pass computes them);
    /// null to compute them when a chart first needs them.</param>
    public static ReportSeries From(decimal initialCapital, IReadOnlyList<EquityPoint> equity, IReadOnlyList<Bar> bars,
        IReadOnlyList<DailyReturn>? daily = null)
    {
        ArgumentNullException.ThrowIfNull(equity);
        ArgumentNullException.ThrowIfNull(bars);
        var values = new double[equity.Count];
        var drawdown = new double[equity.Count];
        var peak = (double)initialCapital;
        var i = 0;
        foreach (var chunk in EquityChunks.Of(equity))
        {
            foreach (var point in chunk.Span)
            {
                var e = (double)point.Equity;
                values[i] = e;
                drawdown[i] = DrawdownSeries.Fraction(e, ref peak);
                i++;
            }
        }

        return new ReportSeries(initialCapital, equity, bars, values, drawdown, daily);
    }

    /// <summary>Time of equity point <paramref name="i"/>.</summary>
    public DateTime EquityTime(int i) => _equity[i].Timestamp;

    /// <summary>Open time of bar <paramref name="i"/> (without putting the bar together when the bars are columns).</summary>
    public DateTime BarTime(int i) => BarColumns.TimeOf(_bars, i);

    private static double[] ReadCloses(IReadOnlyList<Bar> bars)
    {
        var close = new double[bars.Count];
        for (var i = 0; i < close.Length; i++)
        {
            // Exactly (double)decimal, as the charts always converted; the column read skips the rest of the bar.
            close[i] = (double)BarColumns.CloseOf(bars, i);
        }

        return close;
    }
}
