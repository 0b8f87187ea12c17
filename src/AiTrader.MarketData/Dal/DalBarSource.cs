using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.MarketData.Dal;

/// <summary>An <see cref="IBarSource"/> over the DAL, so the backtester can read bars from a vendor (cached) or the sample data.</summary>
/// <param name="dal">The DAL to read through.</param>
/// <param name="vendor">Vendor argument as for <see cref="MarketDataDal.FetchBarsAsync(Symbol, Timeframe, string?, DateTime, DateTime, PriceAdjustment, CancellationToken)"/>.</param>
public sealed class DalBarSource(MarketDataDal dal, string? vendor) : IBarSource
{
    private readonly List<BarBatch> _batches = [];

    /// <summary>Every batch served so far (vendor used, cache outcome, warnings), for reporting after a run.</summary>
    public IReadOnlyList<BarBatch> Batches
    {
        get
        {
            lock (_batches)
            {
                return _batches.ToList();
            }
        }
    }

    public async Task<BarSeries> GetBarsAsync(BarRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var plan = dal.ResolveVendor(vendor);

        // The sample data is local, so an open-ended range is cheap; a vendor would be asked for decades of bars.
        if (!plan.UsesSample && (request.StartUtc is null || request.EndUtc is null))
        {
            throw new MarketDataException(
                $"{plan.Requested} bars need a start and an end date (an open range would fetch the vendor's whole history); pass --start and --end.");
        }

        var start = request.StartUtc ?? DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc);
        var end = request.EndUtc ?? DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc);
        var batch = await dal.FetchBarsAsync(request.Symbol, request.Timeframe, vendor, start, end, request.Adjustment, cancellationToken)
            .ConfigureAwait(false);
        lock (_batches)
        {
            _batches.Add(batch);
        }

        return new BarSeries(batch.Symbol, batch.Interval, batch.Bars, batch.Flags);
    }
}
