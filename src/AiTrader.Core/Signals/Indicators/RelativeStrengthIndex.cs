using AiTrader.Core.Domain;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>Wilder's relative strength index (RSI) of closes, O(1) per bar.</summary>
/// <remarks>
/// Warm-up: changes start at bar 1, so the first RSI appears at bar index <see cref="Period"/> (rsi_14 at bar 14) from
/// the simple means of the gains and losses of changes 1..Period; after that each mean is smoothed as
/// ((Period − 1) · mean + current) / Period (Wilder, "New Concepts in Technical Trading Systems", 1978; StockCharts).
/// RSI = 100 − 100 / (1 + meanGain / meanLoss), and 100 whenever the mean loss is 0 (a flat series included).
/// </remarks>
public sealed class RelativeStrengthIndex
{
    private double? _previous;
    private double _meanGain;
    private double _meanLoss;
    private int _changes;

    public RelativeStrengthIndex(int period = 14)
    {
        if (period < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "RSI period must be at least 1.");
        }

        Period = period;
    }

    public int Period { get; }

    /// <summary>The RSI (0..100) after the latest value, or null until bar index <see cref="Period"/>.</summary>
    public double? Value { get; private set; }

    /// <summary>Number of values seen since construction or <see cref="Reset"/>.</summary>
    public int Count { get; private set; }

    public bool IsReady => Value.HasValue;

    /// <summary>Adds the next bar's close and returns the RSI (null during warm-up).</summary>
    public double? Update(Bar bar) => Update((double)bar.Close);

    /// <summary>Adds the next value and returns the RSI (null during warm-up).</summary>
    public double? Update(double value)
    {
        Count++;
        if (_previous is not { } previous)
        {
            _previous = value;
            return Value;
        }

        _previous = value;
        var change = value - previous;
        var gain = change > 0 ? change : 0;
        var loss = change < 0 ? -change : 0;
        _changes++;

        if (_changes <= Period)
        {
            // Accumulate sums during warm-up; they become means at the Period-th change.
            _meanGain += gain;
            _meanLoss += loss;
            if (_changes < Period)
            {
                return Value;
            }

            _meanGain /= Period;
            _meanLoss /= Period;
        }
        else
        {
            _meanGain = ((Period - 1) * _meanGain + gain) / Period;
            _meanLoss = ((Period - 1) * _meanLoss + loss) / Period;
        }

        Value = _meanLoss == 0 ? 100.0 : 100.0 - 100.0 / (1.0 + _meanGain / _meanLoss);
        return Value;
    }

    public void Reset()
    {
        _previous = null;
        _meanGain = 0;
        _meanLoss = 0;
        _changes = 0;
        Count = 0;
        Value = null;
    }
}
