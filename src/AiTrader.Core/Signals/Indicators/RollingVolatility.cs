using AiTrader.Core.Domain;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>Rolling volatility: the sample standard deviation of the last <see cref="Period"/> log returns, optionally annualized.</summary>
/// <remarks>
/// r_i = ln(close_i / close_{i−1}) starts at bar 1, so the first value appears at bar index <see cref="Period"/>
/// (vol_20 at bar 20) from returns 1..Period. σ uses the sample (n − 1) divisor, the usual estimator for historical
/// volatility. Without <see cref="PeriodsPerYear"/> the value is per bar (vol_20 in CSV); with it the value is
/// multiplied by √PeriodsPerYear (252 for daily bars). A window of identical returns gives 0, which is a value.
/// </remarks>
public sealed class RollingVolatility
{
    private readonly RollingMoments _returns;
    private readonly double _scale;
    private double? _previousClose;

    public RollingVolatility(int period = 20, double? periodsPerYear = null)
    {
        if (period < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "Volatility period must be at least 2 (sample standard deviation).");
        }

        if (periodsPerYear is { } ppy && !(ppy > 0 && !double.IsInfinity(ppy)))
        {
            throw new ArgumentOutOfRangeException(nameof(periodsPerYear), periodsPerYear, "Periods per year must be positive and finite.");
        }

        Period = period;
        PeriodsPerYear = periodsPerYear;
        _scale = periodsPerYear is { } p ? Math.Sqrt(p) : 1.0;
        _returns = new RollingMoments(period);
    }

    public int Period { get; }

    /// <summary>Annualization factor (e.g. 252), or null for per-bar volatility.</summary>
    public double? PeriodsPerYear { get; }

    /// <summary>The volatility after the latest close, or null until bar index <see cref="Period"/>.</summary>
    public double? Value { get; private set; }

    /// <summary>Number of closes seen since construction or <see cref="Reset"/>.</summary>
    public int Count { get; private set; }

    public bool IsReady => Value.HasValue;

    /// <summary>Adds the next bar's close and returns the volatility (null during warm-up).</summary>
    public double? Update(Bar bar) => Update((double)bar.Close);

    /// <summary>Adds the next close (must be positive) and returns the volatility (null during warm-up).</summary>
    public double? Update(double close)
    {
        if (!(close > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(close), close, "Log returns need positive closes.");
        }

        return Update(close, _previousClose is { } previous ? Math.Log(close / previous) : double.NaN);
    }

    /// <summary><see cref="Update(double)"/> given the close's log return ln(close / previous close), which the caller
    /// has worked out already (ignored on the first close); the close must be positive.</summary>
    internal double? Update(double close, double logReturn)
    {
        Count++;
        if (_previousClose is not null)
        {
            _returns.Add(logReturn);
            if (_returns.IsFull)
            {
                Value = _scale * Math.Sqrt(_returns.SumOfSquaredDeviations / (Period - 1));
            }
        }

        _previousClose = close;
        return Value;
    }

    public void Reset()
    {
        _returns.Clear();
        _previousClose = null;
        Count = 0;
        Value = null;
    }
}
