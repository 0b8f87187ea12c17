using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.MarketData;

/// <summary>A bar request to one vendor: symbol, timeframe, inclusive UTC range and price adjustment.</summary>
public sealed record VendorBarRequest
{
    public VendorBarRequest(Symbol symbol, Timeframe timeframe, DateTime startUtc, DateTime endUtc,
        PriceAdjustment adjustment = PriceAdjustment.Split)
    {
        if (startUtc.Kind != DateTimeKind.Utc || endUtc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException("VendorBarRequest start and end must have Kind=Utc.");
        }

        if (endUtc < startUtc)
        {
            throw new ArgumentException($"VendorBarRequest end {endUtc:O} is before start {startUtc:O}.");
        }

        Symbol = symbol;
        Timeframe = timeframe;
        StartUtc = startUtc;
        EndUtc = endUtc;
        Adjustment = adjustment;
    }

    public Symbol Symbol { get; init; }
    public Timeframe Timeframe { get; init; }
    public DateTime StartUtc { get; init; }
    public DateTime EndUtc { get; init; }
    public PriceAdjustment Adjustment { get; init; }
}

/// <summary>What a vendor can serve, so a fallback chain can skip it without spending a request.</summary>
public sealed record VendorCapabilities(
    IReadOnlyList<Timeframe> Timeframes,
    IReadOnlyList<PriceAdjustment> Adjustments,
    bool Streaming,
    bool Quotes,
    bool Listings,
    string HistoryDepth)
{
    public bool Intraday => Timeframes.Any(t => t.IsIntraday);

    public bool Supports(Timeframe timeframe, PriceAdjustment adjustment) =>
        Timeframes.Contains(timeframe) && Adjustments.Contains(adjustment);
}

/// <summary>Normalized bars from one vendor: UTC bar-open timestamps, sorted, unique, sane; with counts of what was removed.</summary>
/// <param name="Incomplete">Set when the vendor answered only the start of the range (e.g. Alpha Vantage month slices
/// before its daily quota ran out): bars up to <see cref="IncompleteAnswer.AnsweredThroughUtc"/> are complete, the rest
/// was never answered.</param>
public sealed record VendorBars(
    Symbol Symbol,
    Timeframe Timeframe,
    string Vendor,
    IReadOnlyList<Bar> Bars,
    int DroppedBars,
    int Duplicates,
    PriceAdjustment Adjustment,
    int EmptyBars = 0,
    IncompleteAnswer? Incomplete = null);

/// <summary>The part of a request a vendor answered before it stopped, and why it stopped.</summary>
public sealed record IncompleteAnswer(DateTime AnsweredThroughUtc, string Reason);

/// <summary>Latest quote. Prices a vendor does not publish (bid/ask on a last-price feed) are null.</summary>
public sealed record Quote(
    Symbol Symbol,
    DateTime TimestampUtc,
    decimal? Bid,
    decimal? Ask,
    decimal? Last,
    string Vendor);

/// <summary>Whether a listed instrument still trades.</summary>
public enum ListingStatus
{
    Active,
    Delisted,
    Unknown,
}

/// <summary>One row of a vendor's symbol directory.</summary>
public sealed record Listing(
    Symbol Symbol,
    string Name,
    string Exchange,
    string AssetType,
    ListingStatus Status);

/// <summary>A market-data vendor's REST client: historical bars, latest quote and symbol directory.</summary>
public interface IVendorClient
{
    /// <summary>Lower-case vendor id used in settings and diagnostics (alpaca, alphavantage, yahoo, twelvedata, finnhub).</summary>
    string Name { get; }

    VendorCapabilities Capabilities { get; }

    /// <summary>Bars in [start, end]; throws <see cref="VendorException"/> on any failure.</summary>
    Task<VendorBars> GetBarsAsync(VendorBarRequest request, CancellationToken cancellationToken = default);

    Task<Quote> GetLatestQuoteAsync(Symbol symbol, CancellationToken cancellationToken = default);

    /// <summary>The vendor's symbol directory; <see cref="VendorErrorKind.Unsupported"/> when it has none.</summary>
    Task<IReadOnlyList<Listing>> GetListingsAsync(CancellationToken cancellationToken = default);
}

/// <summary>One symbol of Alpaca's snapshots: latest trade, and the latest and previous daily bars (date, close).</summary>
public sealed record AlpacaSnapshot(
    Symbol Symbol,
    decimal? LastPrice,
    DateTime? LastTradeUtc,
    (DateOnly Date, decimal Close)? DailyBar,
    (DateOnly Date, decimal Close)? PreviousDailyBar);
