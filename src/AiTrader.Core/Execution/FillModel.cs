using AiTrader.Core.Domain;

namespace AiTrader.Core.Execution;

/// <summary>Fill prices, fees, volume caps and the cash cut of the simulated exchange: the one place these numbers are made.</summary>
public sealed class FillModel(ExchangeOptions options)
{
    /// <summary>The open moved against the trader by the slippage, rounded to 4 dp (half away from zero).</summary>
    public decimal SlippedPrice(OrderSide side, decimal open)
    {
        var factor = options.SlippageBps / 10_000m;
        var price = side == OrderSide.Buy ? open * (1 + factor) : open * (1 - factor);
        return Math.Round(price, 4, MidpointRounding.AwayFromZero);
    }

    /// <summary>max(minimum, per-share × shares) for one fill.</summary>
    public decimal Commission(decimal quantity) =>
        Math.Max(options.MinCommission, options.CommissionPerShare * quantity);

    /// <summary>Whole shares one order may take from a bar that traded <paramref name="barVolume"/> shares:
    /// floor(volume × <see cref="ExchangeOptions.MaxVolumeShare"/>), or <see cref="decimal.MaxValue"/> with no limit.</summary>
    public decimal VolumeCap(decimal barVolume) =>
        options.MaxVolumeShare is { } share ? decimal.Floor(Math.Max(0m, barVolume) * share) : decimal.MaxValue;

    /// <summary>Cuts a buy to what <paramref name="cash"/> pays for, commission included, so the account never borrows.</summary>
    /// <remarks>
    /// Closed form, no step loop: the cost q·p + max(m, c·q) grows with q, so the answer is the largest q ≤ wanted with
    /// cost ≤ cash. Where the per-share commission binds (c·q ≥ m) that is ⌊cash / (p + c)⌋; where the minimum binds it is
    /// ⌊(cash − m) / p⌋, and no larger than ⌊m / c⌋ (past that the per-share commission is the one charged). Quotients too
    /// large for a decimal (a price near zero against a large balance) mean the cash is no limit.
    /// </remarks>
    public decimal AffordableQuantity(decimal wanted, decimal price, decimal cash)
    {
        if (wanted <= 0 || price <= 0 || cash <= 0)
        {
            return 0;
        }

        var perShare = options.CommissionPerShare;
        var minimum = options.MinCommission;
        var byPerShare = FloorQuotient(cash, price + perShare);
        decimal quantity;
        if (perShare > 0 && perShare * Math.Min(byPerShare, wanted) >= minimum)
        {
            quantity = Math.Min(byPerShare, wanted);
        }
        else
        {
            var byMinimum = cash > minimum ? FloorQuotient(cash - minimum, price) : 0m;
            if (perShare > 0)
            {
                byMinimum = Math.Min(byMinimum, FloorQuotient(minimum, perShare));
            }

            quantity = Math.Min(byMinimum, wanted);
        }

        // Rounding in the quotients can leave the answer one share high at most; the check costs two multiplies.
        while (quantity > 0 && quantity * price + Commission(quantity) > cash)
        {
            quantity--;
        }

        return Math.Max(0m, quantity);
    }

    private static decimal FloorQuotient(decimal numerator, decimal denominator)
    {
        try
        {
            return decimal.Floor(numerator / denominator);
        }
        catch (OverflowException)
        {
            return decimal.MaxValue;
        }
    }
}

/// <summary>Running totals of one round trip; exact sums so the trade's P&amp;L adds up to the cash change.</summary>
public sealed class RoundTrip(PositionSide side, DateTime entryTime)
{
    private decimal _entryQuantity;
    private decimal _entryValue;
    private decimal _exitQuantity;
    private decimal _exitValue;
    private decimal _fees;

    public PositionSide Side { get; } = side;

    public void AddEntry(decimal quantity, decimal price, decimal fee)
    {
        _entryQuantity += quantity;
        _entryValue += quantity * price;
        _fees += fee;
    }

    public void AddExit(decimal quantity, decimal price, decimal fee)
    {
        _exitQuantity += quantity;
        _exitValue += quantity * price;
        _fees += fee;
    }

    /// <summary>The finished trade at average entry and exit prices, P&amp;L net of every fee.</summary>
    public TradeRecord ToRecord(Symbol symbol, DateTime exitTime, string exitReason)
    {
        var gross = Side == PositionSide.Long ? _exitValue - _entryValue : _entryValue - _exitValue;
        return new TradeRecord(symbol, Side, _entryQuantity, entryTime, _entryValue / _entryQuantity, exitTime,
            _exitValue / _exitQuantity, gross - _fees, _fees, exitReason);
    }
}
