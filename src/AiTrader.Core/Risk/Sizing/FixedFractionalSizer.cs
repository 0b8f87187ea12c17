namespace AiTrader.Core.Risk.Sizing;

/// <summary>Risks a fixed fraction of equity to the stop: qty = floor(equity × risk / |entry − stop|), capped by cash.</summary>
/// <remarks>The cash cap floor(available cash / entry) keeps the position's cost within cash: no leverage. Shares are whole
/// because US equities trade in whole shares by default.</remarks>
public sealed class FixedFractionalSizer : IPositionSizer
{
    public FixedFractionalSizer(decimal riskFraction)
    {
        if (riskFraction <= 0 || riskFraction > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(riskFraction), riskFraction, "Risk fraction must be in (0, 1].");
        }

        RiskFraction = riskFraction;
    }

    public decimal RiskFraction { get; }

    public decimal Size(SizingRequest request)
    {
        var riskPerShare = Math.Abs(request.EntryPrice - request.StopPrice);
        if (riskPerShare == 0 || request.EntryPrice <= 0 || request.Equity <= 0 || request.AvailableCash <= 0)
        {
            return 0;
        }

        var byRisk = decimal.Floor(request.Equity * RiskFraction / riskPerShare);
        var byCash = decimal.Floor(request.AvailableCash / request.EntryPrice);
        return Math.Max(0, Math.Min(byRisk, byCash));
    }
}
