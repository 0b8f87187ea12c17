using System.Globalization;

namespace AiTrader.Core.Strategies;

// Numbers in intent reasons: two decimals, unless that would print a value equal to the threshold it was compared
// with ("prob_up 0.50 < 0.50"), in which case as many more as it takes (up to eight).
internal static class ReasonText
{
    public static string Compared(double value, double threshold)
    {
        for (var decimals = 2; decimals < 8; decimals++)
        {
            var shown = Fixed(value, decimals);
            if (value == threshold || shown != Fixed(threshold, decimals))
            {
                return shown;
            }
        }

        return Fixed(value, 8);
    }

    public static string Fixed(double value, int decimals)
    {
        // 0 − 0.0 prints "0.00", not "-0.00".
        var text = value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return text.StartsWith('-') && text.Trim('-', '0', '.').Length == 0 ? text[1..] : text;
    }

    public static string Number(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
