using System.Globalization;

namespace AiTrader.Core.Risk;

// One place for how numbers read in block reasons, so journals are consistent and parseable by eye.
internal static class Format
{
    public static string Money(decimal amount) =>
        amount < 0
            ? "-$" + (-amount).ToString("N2", CultureInfo.InvariantCulture)
            : "$" + amount.ToString("N2", CultureInfo.InvariantCulture);

    public static string Percent(decimal fraction) => (fraction * 100m).ToString("F2", CultureInfo.InvariantCulture) + "%";

    public static string Quantity(decimal quantity) => quantity.ToString("0.########", CultureInfo.InvariantCulture);

    public static string Utc(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
