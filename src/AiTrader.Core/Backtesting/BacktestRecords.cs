namespace AiTrader.Core.Backtesting;

/// <summary>Mark-to-market account value at a bar's close.</summary>
/// <param name="Timestamp">The bar's timestamp (UTC).</param>
/// <param name="Equity">Cash plus every position marked at the close.</param>
/// <param name="GrossPositionValue">Sum of |position value| over the positions at the close.</param>
/// <remarks>A value type holding the raw amounts: the engine stores one per bar, so it must not allocate, and the
/// exposure ratio (a decimal division) is only worked out when a report asks for it.</remarks>
public readonly record struct EquityPoint(DateTime Timestamp, decimal Equity, decimal GrossPositionValue)
{
    /// <summary>Gross exposure: <see cref="GrossPositionValue"/> / <see cref="Equity"/>, 0 when equity is 0.</summary>
    public decimal GrossExposure => Equity == 0 ? 0m : GrossPositionValue / Equity;
}
