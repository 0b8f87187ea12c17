using System.Globalization;
using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Risk.Sizing;

// How the sizers describe themselves and their inner sizers, so chained explanations read the same everywhere.
internal static class SizingText
{
    public static string Describe(IPositionSizer sizer, decimal shares) => sizer switch
    {
        IExplainedPositionSizer explained => explained.LastExplanation,
        FixedFractionalSizer fixedRisk => $"fixed {Percent(fixedRisk.RiskFraction)} risk: {Number(shares)} shares",
        _ => $"{sizer.GetType().Name}: {Number(shares)} shares",
    };

    public static string Describe(IPositionSizer sizer) => sizer switch
    {
        FixedFractionalSizer fixedRisk => $"fixed {Percent(fixedRisk.RiskFraction)} risk",
        _ => sizer.GetType().Name,
    };

    public static string Percent(decimal fraction) => Number(fraction * 100m) + "%";

    public static string Number(decimal value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    public static string Fixed(decimal value, int decimals) =>
        value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Regime(MarketRegime regime) => RegimeSet.NameOf(regime);
}
