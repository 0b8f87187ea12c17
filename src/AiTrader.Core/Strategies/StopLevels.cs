namespace AiTrader.Core.Strategies;

/// <summary>Stop levels as the strategies set them: exact decimals rounded to 4 places, and the double pre-check that
/// tells, without the decimal work, that a trailed level cannot move a working stop.</summary>
internal static class StopLevels
{
    /// <summary>k·ATR as an exact decimal: the distance every stop level is worked out from.</summary>
    public static decimal Distance(decimal multiplier, double atr) => multiplier * (decimal)atr;

    /// <summary>A stop level rounded to 4 decimal places, halves away from zero.</summary>
    public static decimal RoundPrice(decimal price) => Math.Round(price, 4, MidpointRounding.AwayFromZero);

    /// <summary>A fast, conservative pre-check in double arithmetic: true only when the exact decimal level
    /// (<paramref name="estimate"/> worked in decimals and rounded to 4 dp, so within 0.00005 plus conversion error of
    /// it) cannot move the stop, i.e. cannot be above (long) or below (short) <paramref name="stop"/>. Anything closer
    /// is decided exactly, so the result is the same as always computing in decimal.</summary>
    public static bool CannotBeat(double estimate, decimal stop, bool above)
    {
        var level = (double)stop;
        var margin = 0.0001 + 1e-9 * Math.Abs(level);
        return above ? estimate < level - margin : estimate > level + margin;
    }
}
