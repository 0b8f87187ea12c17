using AiTrader.Core.Domain;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>Rolling z-score: (value − SMA) / σ over the last <see cref="Period"/> values, σ the population standard deviation.</summary>
/// <remarks>
/// Warm-up: the first value appears at bar index Period − 1 (zscore_20 at bar 19). The value is also null whenever
/// σ is 0 (every value in the window equal): the z-score is undefined there, and a 0 would read as "at the mean".
/// σ and the mean are the same as <see cref="BollingerBands"/> uses, so z = ±2 exactly on the bands.
/// </remarks>
public sealed class RollingZScore
{
    private readonly RollingMoments _moments;

    public RollingZScore(int period = 20)
    {
        if (period < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "Z-score period must be at least 1.");
        }

        Period = period;
        _moments = new RollingMoments(period);
    }

    public int Period { get; }

    /// <summary>The z-score of the latest value, or null during warm-up or when σ is 0.</summary>
    public double? Value { get; private set; }

    /// <summary>Number of values seen since construction or <see cref="Reset"/>.</summary>
    public int Count { get; private set; }

    public bool IsReady => Value.HasValue;

    /// <summary>Adds the next bar's close and returns its z-score (null during warm-up or when σ is 0).</summary>
    public double? Update(Bar bar) => Update((double)bar.Close);

    /// <summary>Adds the next value and returns its z-score (null during warm-up or when σ is 0).</summary>
    public double? Update(double value)
    {
        Count++;
        _moments.Add(value);
        Value = From(_moments, value);
        return Value;
    }

    /// <summary>The z-score of <paramref name="value"/>, the latest value added to <paramref name="moments"/> (shared
    /// with <see cref="BollingerBands"/> in the signal pipeline).</summary>
    internal static double? From(RollingMoments moments, double value)
    {
        var m2 = moments.SumOfSquaredDeviations;
        return moments.IsFull && m2 > 0 ? (value - moments.Mean) / Math.Sqrt(m2 / moments.Length) : null;
    }

    public void Reset()
    {
        _moments.Clear();
        Count = 0;
        Value = null;
    }
}
