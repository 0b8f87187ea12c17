using AiTrader.Core.Domain;

namespace AiTrader.Core.Backtesting;

/// <summary>Fill prices and fees shared by the backtester and the paper broker, so both book the same numbers.</summary>
public sealed class FillModel(BacktestOptions options)
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
    /// floor(volume × <see cref="BacktestOptions.MaxVolumeShare"/>), or <see cref="decimal.MaxValue"/> with no limit.</summary>
    public decimal VolumeCap(decimal barVolume) =>
        options.MaxVolumeShare is { } share ? decimal.Floor(Math.Max(0m, barVolume) * share) : decimal.MaxValue;

    /// <summary>Cuts a buy to what <paramref name="cash"/> pays for, commission included, so the account never borrows.</summary>
    public decimal AffordableQuantity(decimal wanted, decimal price, decimal cash)
    {
        var quantity = Math.Min(wanted, Math.Max(0, decimal.Floor(cash / price)));
        while (quantity > 0 && quantity * price + Commission(quantity) > cash)
        {
            quantity--;
        }

        return quantity;
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
