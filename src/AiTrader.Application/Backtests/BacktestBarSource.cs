using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.MarketData.Dal;

namespace AiTrader.Application.Backtests;

/// <summary>Where a backtest reads its bars, for a single symbol and for every member of a portfolio alike: the bundled
/// CSV files, or with <c>--use-probabilistic</c>/<c>--dal-vendor</c> the market-data DAL (vendor chain and Parquet
/// cache; the bundled data, with a notice naming the missing key, when no key is set).</summary>
public sealed class BacktestBarSource : IAsyncDisposable
{
    private readonly BacktestRequest _request;
    private readonly MarketDataDal? _dal;
    private readonly DalBarSource? _dalSource;
    private readonly CsvBarSource? _bundled;

    private BacktestBarSource(BacktestRequest request, MarketDataDal? dal, DalBarSource? dalSource, CsvBarSource? bundled)
    {
        _request = request;
        _dal = dal;
        _dalSource = dalSource;
        _bundled = bundled;
    }

    /// <summary>The source <paramref name="request"/> asks for; the DAL reads the variables of <see cref="PlatformEnvironment"/>.</summary>
    public static BacktestBarSource Open(BacktestRequest request, AppSettings settings)
    {
        if (!request.UseDal)
        {
            return new BacktestBarSource(request, null, null,
                new CsvBarSource(settings.SampleDataDir ?? SampleData.LocateRoot(), NyseCalendar.Instance, settings.BarCache()));
        }

        // A backtest without a key runs on the bundled data and says so, rather than failing like `aitrader fetch`.
        var dal = MarketDataDal.FromEnvironment(PlatformEnvironment.Lookup, new MarketDataDalOptions { FallbackToSampleWhenNoKey = true });
        return new BacktestBarSource(request, dal, new DalBarSource(dal, request.DalVendor), null);
    }

    /// <summary>True when the bars come through the DAL.</summary>
    public bool ThroughDal => _dal is not null;

    /// <summary>Symbols the bundled CSV files hold at the request's interval; null through the DAL, which can only tell by
    /// fetching.</summary>
    public IReadOnlyList<Symbol>? BundledSymbols() => _bundled?.AvailableSymbols(_request.Interval);

    /// <summary>Bars of <paramref name="symbol"/> at the request's interval, adjustment and session-date range.</summary>
    /// <exception cref="MarketDataException">Unknown symbol (the message names it and what is available), an open range
    /// for a vendor, or every vendor of the chain failed.</exception>
    public Task<BarSeries> LoadAsync(Symbol symbol, CancellationToken ct)
    {
        var (startUtc, endUtc) = BacktestRunner.UtcRange(_request);
        var request = new BarRequest(symbol, _request.Interval, startUtc, endUtc, _request.Adjustment);
        return (_dalSource ?? (IBarSource)_bundled!).GetBarsAsync(request, ct);
    }

    /// <summary>What the DAL had to say about the loads so far (nothing for the bundled CSV files): each distinct warning
    /// once, so the no-key notice shows once however many symbols were loaded, then which vendor served the bars and how
    /// the cache took part.</summary>
    /// <param name="nameSymbols">Name the symbols in the served lines and group them by vendor and cache outcome (a
    /// portfolio); a single run keeps one unnamed line.</param>
    public IReadOnlyList<string> DalNotes(bool nameSymbols)
    {
        if (_dalSource is null)
        {
            return [];
        }

        var batches = _dalSource.Batches;
        var notes = batches.SelectMany(b => b.Warnings).Distinct(StringComparer.Ordinal).ToList();
        if (!nameSymbols)
        {
            notes.AddRange(batches.Select(b => $"bars served by {b.Vendor} (cache: {Describe(b.Cache)}){Fallbacks(b)}"));
            return notes;
        }

        // Why a vendor was passed over (a malformed answer, a quota) belongs next to who served instead.
        notes.AddRange(batches.SelectMany(b => b.Attempts).Where(a => a.Error is not null).Select(a => $"fallback: {a.Message}")
            .Distinct(StringComparer.Ordinal));
        notes.AddRange(batches
            .GroupBy(b => (b.Vendor, b.Cache))
            .Select(g => $"{string.Join(", ", g.Select(b => b.Symbol).Distinct())} bars served by {g.Key.Vendor} (cache: {Describe(g.Key.Cache)})"));
        return notes;
    }

    public async ValueTask DisposeAsync()
    {
        if (_dal is not null)
        {
            await _dal.DisposeAsync();
        }
    }

    /// <summary>The cache outcome in words (the enum's name read "notcached").</summary>
    private static string Describe(CacheOutcome cache) => cache == CacheOutcome.NotCached ? "not cached" : cache.ToString().ToLowerInvariant();

    private static string Fallbacks(BarBatch batch) =>
        string.Concat(batch.Attempts.Where(a => a.Error is not null).Select(a => $"; passed over {a.Vendor} ({a.Error}: {a.Message})"));
}
