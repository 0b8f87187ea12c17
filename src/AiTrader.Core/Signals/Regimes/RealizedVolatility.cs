using AiTrader.Core.Signals.Indicators;

namespace AiTrader.Core.Signals.Regimes;

/// <summary>Streaming realized volatility: the sample standard deviation of the last N log returns, per bar (not annualized).</summary>
public sealed class RealizedVolatility
{
    private readonly TrailingWindow _returns;
    private double? _previousPrice;

    public RealizedVolatility(int window = 20)
    {
        if (window < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "Need at least 2 returns.");
        }

        Window = window;
        _returns = new TrailingWindow(window);
    }

    public int Window { get; }

    /// <summary>Feeds the next price; returns the volatility of the last <see cref="Window"/> log returns, or NaN
    /// until that many returns exist (the first Window bars).</summary>
    public double Update(double price)
    {
        if (!(price > 0 && double.IsFinite(price)))
        {
            throw new ArgumentOutOfRangeException(nameof(price), price, "Price must be positive and finite.");
        }

        return Update(price, _previousPrice is { } previous ? Math.Log(price / previous) : double.NaN);
    }

    /// <summary><see cref="Update(double)"/> given this price's log return ln(price / previous price), which the
    /// caller has worked out already (NaN on the first price); the price must be positive and finite.</summary>
    internal double Update(double price, double logReturn)
    {
        if (_previousPrice is not null)
        {
            _returns.Add(logReturn);
        }

        _previousPrice = price;
        if (_returns.Count < Window)
        {
            return double.NaN;
        }

        // Two passes over a short window: exact enough and replays bit-for-bit, unlike running sums.
        return Math.Sqrt(_returns.SampleVariance());
    }
}
