using AiTrader.Core.Domain;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>A Bollinger band reading: the SMA, the bands k population standard deviations away, and σ itself.</summary>
public readonly record struct BollingerValue(double Middle, double Upper, double Lower, double StdDev);

/// <summary>Bollinger bands: SMA of the last <see cref="Period"/> closes ± <see cref="K"/> population σ, O(1) amortized per bar.</summary>
/// <remarks>
/// Warm-up: the first value appears at bar index Period − 1 (bb_upper_20/bb_lower_20 at bar 19). σ is the population
/// standard deviation (divide by Period, as Bollinger and StockCharts do), kept with a drift-free rolling update
/// (see <see cref="RollingMoments"/>); it matches a naive two-pass computation to about 1e-12 relative.
/// </remarks>
public sealed class BollingerBands
{
    private readonly RollingMoments _moments;

    public BollingerBands(int period = 20, double k = 2.0)
    {
        if (period < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "Bollinger period must be at least 1.");
        }

        if (!(k >= 0) || double.IsInfinity(k))
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, "Bollinger k must be a finite non-negative number.");
        }

        Period = period;
        K = k;
        _moments = new RollingMoments(period);
    }

    public int Period { get; }

    /// <summary>The number of standard deviations between the middle and each band (the k in SMA ± k·σ).</summary>
    public double K { get; }

    /// <summary>The bands after the latest value, or null until <see cref="Period"/> values have been seen.</summary>
    public BollingerValue? Value { get; private set; }

    /// <summary>Number of values seen since construction or <see cref="Reset"/>.</summary>
    public int Count { get; private set; }

    public bool IsReady => Value.HasValue;

    /// <summary>Adds the next bar's close and returns the bands (null during warm-up).</summary>
    public BollingerValue? Update(Bar bar) => Update((double)bar.Close);

    /// <summary>Adds the next value and returns the bands (null during warm-up).</summary>
    public BollingerValue? Update(double value)
    {
        Count++;
        _moments.Add(value);
        if (!_moments.IsFull)
        {
            return Value;
        }

        Value = From(_moments, K);
        return Value;
    }

    /// <summary>The bands of a full window of moments (shared with <see cref="RollingZScore"/> in the signal pipeline).</summary>
    internal static BollingerValue From(RollingMoments moments, double k)
    {
        var mean = moments.Mean;
        var sigma = Math.Sqrt(moments.SumOfSquaredDeviations / moments.Length);
        return new BollingerValue(mean, mean + k * sigma, mean - k * sigma, sigma);
    }

    public void Reset()
    {
        _moments.Clear();
        Count = 0;
        Value = null;
    }
}
