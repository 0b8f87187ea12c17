using AiTrader.Core.Domain;
using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Tests;

/// <summary>Sizes a strategy's unsized entry the way the order router does (one sizing stage for every strategy).</summary>
internal static class TestSizing
{
    /// <summary>Whole shares for <paramref name="entry"/> decided at <paramref name="close"/> on an account of
    /// <paramref name="equity"/> (all of it cash), by <paramref name="sizing"/> (fixed risk at the strategy's fraction by default).</summary>
    public static decimal Shares(OrderIntent entry, decimal close, decimal equity = 100_000m, EntrySizing? sizing = null) =>
        Sized(entry, close, equity, sizing).Quantity;

    public static SizedEntry Sized(OrderIntent entry, decimal close, decimal equity = 100_000m, EntrySizing? sizing = null)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Assert.Null(entry.Quantity);
        Assert.NotNull(entry.Sizing);
        return (sizing ?? new EntrySizing()).Size(new Symbol("TEST"), entry.Sizing!, equity, equity, close, entry.StopPrice!.Value);
    }
}
