using System.Globalization;

namespace AiTrader.Core.Strategies;

// Numbers in intent reasons: two decimals, unless that would print a value equal to the threshold it was compared
// with ("prob_up 0.50 < 0.50"), in which case four.
internal static class ReasonText
{
    public static string Compared(double value, double threshold)
    {
        var shown = Fixed(value, 2);
        return shown == Fixed(threshold, 2) && value != threshold ? Fixed(value, 4) : shown;
    }

    public static string Fixed(double value, int decimals)
    {
        // 0 − 0.0 prints "0.00", not "-0.00".
        var text = value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return text.StartsWith('-') && text.Trim('-', '0', '.').Length == 0 ? text[1..] : text;
    }

    public static string Number(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    public static decimal RoundPrice(decimal price) => Math.Round(price, 4, MidpointRounding.AwayFromZero);
}
