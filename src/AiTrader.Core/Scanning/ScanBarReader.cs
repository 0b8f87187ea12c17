using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.Core.Scanning;

/// <summary>How a scan reads bars: on the scan date's basis, split-adjusted for the splits effective by that date only.</summary>
/// <param name="bars">The bar source.</param>
/// <param name="splits">The split history of a symbol, for data that is back-adjusted to a later date than the scan's
/// (the bundled files are adjusted to 2021): bars are then read raw and adjusted only for splits effective by the scan
/// date, so prices stay as traded on that day. Null when the source's split adjustment already ends at the scan date
/// (a live feed scanning today).</param>
public sealed class ScanBarReader(IBarSource bars, Func<Symbol, IReadOnlyList<SplitEvent>>? splits = null)
{
    private readonly IBarSource _bars = bars ?? throw new ArgumentNullException(nameof(bars));

    /// <summary>The bars of <paramref name="symbol"/> from <paramref name="startUtc"/> to <paramref name="endUtc"/> (both
    /// inclusive) as traded on <paramref name="asOf"/>.</summary>
    public async Task<IReadOnlyList<Bar>> LoadAsync(Symbol symbol, Timeframe timeframe, DateTime startUtc, DateTime endUtc, DateOnly asOf, CancellationToken ct)
    {
        if (splits is null)
        {
            return (await _bars.GetBarsAsync(new BarRequest(symbol, timeframe, startUtc, endUtc, PriceAdjustment.Split), ct).ConfigureAwait(false)).Bars;
        }

        var raw = await _bars.GetBarsAsync(new BarRequest(symbol, timeframe, startUtc, endUtc, PriceAdjustment.Raw), ct).ConfigureAwait(false);
        return SplitAdjuster.Adjust(raw.Bars, splits(symbol).Where(s => s.ExDate <= asOf));
    }
}
