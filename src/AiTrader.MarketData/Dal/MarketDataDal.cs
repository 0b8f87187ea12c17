using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiTrader.MarketData.Dal;

/// <summary>The market-data facade: bars from the bundled sample data or a vendor chain, read through the Parquet cache.</summary>
/// <remarks>Vendor bars always go through <see cref="BarCache"/> keyed by (vendor, symbol, interval, adjustment), so a
/// repeated fetch makes no request and a widened one fetches only what is missing. Requests are clipped to bars that
/// are already final, because every cached range is treated as final. Build one with
/// <see cref="FromEnvironment"/> for the CLI, or with the constructor when the parts are at hand (tests).</remarks>
public sealed partial class MarketDataDal : IAsyncDisposable
{
    private readonly Func<IReadOnlyList<IVendorClient>> _clients;
    private readonly Lazy<BarCache> _cache;
    private readonly Lazy<IBarSource> _sample;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<IAsyncDisposable> _owned;

    /// <summary>A DAL over ready-made parts; the caller keeps ownership of them.</summary>
    public MarketDataDal(
        VendorSettings settings,
        IEnumerable<IVendorClient> vendors,
        BarCache cache,
        IBarSource sample,
        MarketDataDalOptions? options = null,
        ILogger<MarketDataDal>? logger = null)
        : this(settings, Materialize(vendors), () => cache, () => sample, options, logger, [])
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(sample);
    }

    private MarketDataDal(
        VendorSettings settings,
        Func<IReadOnlyList<IVendorClient>> vendors,
        Func<BarCache> cache,
        Func<IBarSource> sample,
        MarketDataDalOptions? options,
        ILogger? logger,
        IReadOnlyList<IAsyncDisposable> owned)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Settings = settings;
        _clients = vendors;
        _cache = new Lazy<BarCache>(cache, LazyThreadSafetyMode.ExecutionAndPublication);
        _sample = new Lazy<IBarSource>(sample, LazyThreadSafetyMode.ExecutionAndPublication);
        Options = options ?? new MarketDataDalOptions();
        _logger = logger ?? NullLogger.Instance;
        _owned = owned;
    }

    public VendorSettings Settings { get; }

    public MarketDataDalOptions Options { get; }

    /// <summary>The snapshot cache (opened on first use, so sample-only callers never touch the database).</summary>
    public BarCache Cache => _cache.Value;

    /// <summary>True when a key for a bar-serving vendor is set (ALPHAVANTAGE_API_KEY, TWELVEDATA_API_KEY or both Alpaca keys).</summary>
    public bool HasAnyVendorKey =>
        HasValue(Settings.AlphaVantageOptions.ApiKey) || HasValue(Settings.TwelveDataOptions.ApiKey) ||
        (HasValue(Settings.AlpacaOptions.ApiKey) && HasValue(Settings.AlpacaOptions.ApiSecret));

    /// <summary>
    /// Resolves a <c>vendor</c> argument. Null or blank means <c>auto</c> when <see cref="HasAnyVendorKey"/>, else
    /// <c>sample</c> (with a warning). A named vendor comes first, then the rest of the configured chain. A named
    /// vendor whose key is missing is an error unless <see cref="MarketDataDalOptions.FallbackToSampleWhenNoKey"/>.
    /// </summary>
    /// <exception cref="MarketDataException">Unknown vendor, or a missing key (message names the variable).</exception>
    public DalVendorPlan ResolveVendor(string? vendor)
    {
        var requested = vendor?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(requested))
        {
            return HasAnyVendorKey
                ? new DalVendorPlan(DalVendors.Auto, false, Settings.FallbackOrder, null)
                : new DalVendorPlan(DalVendors.Sample, true, [], NoKeyWarning("ALPHAVANTAGE_API_KEY"));
        }

        switch (requested)
        {
            case DalVendors.Sample:
                return new DalVendorPlan(DalVendors.Sample, true, [], null);
            case DalVendors.Auto:
                return new DalVendorPlan(DalVendors.Auto, false, Settings.FallbackOrder, null);
        }

        if (!DalVendors.All.Contains(requested, StringComparer.Ordinal))
        {
            // A key pasted into --vendor looks like a name (letters and digits), so no input is echoed at all.
            throw new MarketDataException(UnknownVendor.Message(requested, DalVendors.All));
        }

        if (MissingKey(requested) is { } variable)
        {
            if (!Options.FallbackToSampleWhenNoKey)
            {
                throw new MarketDataException($"{variable} is not set; set it or use --vendor sample");
            }

            return new DalVendorPlan(requested, true, [], NoKeyWarning(variable));
        }

        var chain = new List<string> { requested };
        chain.AddRange(Settings.FallbackOrder.Where(v => !string.Equals(v, requested, StringComparison.OrdinalIgnoreCase)));
        return new DalVendorPlan(requested, false, chain, null);
    }

    /// <summary>
    /// Bars of <paramref name="symbol"/> in the inclusive UTC range, from the source <paramref name="vendor"/> resolves to
    /// (see <see cref="ResolveVendor"/>). Vendor requests are clipped to end one interval before now.
    /// </summary>
    /// <exception cref="MarketDataException">Unknown vendor or symbol, missing key, or every vendor in the chain failed
    /// (the message lists each attempt).</exception>
    public async Task<BarBatch> FetchBarsAsync(
        Symbol symbol,
        Timeframe interval,
        string? vendor,
        DateTime startUtc,
        DateTime endUtc,
        PriceAdjustment adjustment = PriceAdjustment.Split,
        CancellationToken cancellationToken = default)
    {
        if (startUtc.Kind != DateTimeKind.Utc || endUtc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException("FetchBarsAsync start and end must have Kind=Utc.");
        }

        if (endUtc < startUtc)
        {
            throw new MarketDataException($"start {startUtc:O} is after end {endUtc:O}; swap them.");
        }

        var plan = ResolveVendor(vendor);
        return plan.UsesSample
            ? await FetchSampleAsync(symbol, interval, startUtc, endUtc, adjustment, plan, cancellationToken).ConfigureAwait(false)
            : await FetchFromVendorsAsync(symbol, interval, startUtc, endUtc, adjustment, plan, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="FetchBarsAsync(Symbol, Timeframe, string?, DateTime, DateTime, PriceAdjustment, CancellationToken)"/>
    /// followed by <paramref name="enrich"/> (e.g. the signals pipeline) over the served bars.
    /// </summary>
    public async Task<EnrichedBarBatch<TSignals>> FetchBarsAsync<TSignals>(
        Symbol symbol,
        Timeframe interval,
        string? vendor,
        DateTime startUtc,
        DateTime endUtc,
        Func<IReadOnlyList<Bar>, Timeframe, TSignals> enrich,
        PriceAdjustment adjustment = PriceAdjustment.Split,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(enrich);
        var batch = await FetchBarsAsync(symbol, interval, vendor, startUtc, endUtc, adjustment, cancellationToken).ConfigureAwait(false);
        return new EnrichedBarBatch<TSignals>(batch, enrich(batch.Bars, batch.Interval));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<BarBatch> FetchSampleAsync(Symbol symbol, Timeframe interval, DateTime startUtc, DateTime endUtc,
        PriceAdjustment adjustment, DalVendorPlan plan, CancellationToken cancellationToken)
    {
        var series = await _sample.Value.GetBarsAsync(new BarRequest(symbol, interval, startUtc, endUtc, adjustment), cancellationToken)
            .ConfigureAwait(false);
        return new BarBatch
        {
            Symbol = symbol,
            Interval = interval,
            Adjustment = adjustment,
            Vendor = DalVendors.Sample,
            StartUtc = startUtc,
            EndUtc = endUtc,
            Bars = series.Bars,
            Cache = CacheOutcome.NotCached,
            Flags = series.Flags,
            Warnings = plan.Warning is { } w ? [w] : [],
        };
    }

    private async Task<BarBatch> FetchFromVendorsAsync(Symbol symbol, Timeframe interval, DateTime startUtc, DateTime endUtc,
        PriceAdjustment adjustment, DalVendorPlan plan, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        if (plan.Warning is { } planWarning)
        {
            warnings.Add(planWarning);
        }

        // A bar is final once its interval has passed; caching a still-forming bar would freeze a wrong value.
        var lastFinalOpen = Options.TimeProvider.GetUtcNow().UtcDateTime - interval.Duration;
        var end = endUtc;
        if (end > lastFinalOpen)
        {
            end = lastFinalOpen;
            warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"end clipped to {lastFinalOpen:yyyy-MM-dd HH:mm:ss}Z: later {interval} bars are not final yet"));
        }

        var chain = Chain(plan);
        if (end < startUtc)
        {
            warnings.Add($"no {interval} bar in the range is final yet; nothing was fetched");
            return Batch(symbol, interval, adjustment, chain[0].Name, startUtc, startUtc, [], CacheOutcome.NotCached, [], default, [], warnings);
        }

        // Pass 1, cache only: any vendor of the chain that already holds the whole range answers without a request,
        // so a repeat of a fetch that fell through to a later vendor does not knock on the failed one again.
        foreach (var client in chain.Where(c => c.Capabilities.Supports(interval, adjustment)))
        {
            var key = new CacheKey(client.Name, symbol, interval, adjustment);
            try
            {
                var cached = await Cache.GetOrFetchAsync(key, startUtc, end, static (_, _, _) => throw new RangeNotCachedException(), cancellationToken)
                    .ConfigureAwait(false);
                if (cached.Bars.Count > 0)
                {
                    warnings.AddRange(cached.Notes);
                    warnings.AddRange(ProvisionalNotes(client.Name, cached));
                    var attempt = new VendorAttempt(client.Name, null, $"{client.Name}: {cached.Bars.Count} bars from the cache (no request)");
                    return Batch(symbol, interval, adjustment, client.Name, cached.Range.Start, cached.Range.End, cached.Bars,
                        CacheOutcome.Full, [], default, [attempt], warnings);
                }
            }
            catch (RangeNotCachedException)
            {
                // Not (fully) cached for this vendor: pass 2 decides whether to fetch.
            }
        }

        // Pass 2: the fallback chain, each vendor read through its own cache key.
        var attempts = new List<VendorAttempt>();
        BarBatch? firstEmpty = null;
        foreach (var client in chain)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!client.Capabilities.Supports(interval, adjustment))
            {
                attempts.Add(new VendorAttempt(client.Name, VendorErrorKind.Unsupported,
                    $"{client.Name}: {interval} {adjustment} bars not offered (skipped)"));
                continue;
            }

            var counts = new FetchCounts();
            var fetchNotes = new List<string>();
            try
            {
                var cached = await Cache.GetOrFetchAnsweredAsync(
                    new CacheKey(client.Name, symbol, interval, adjustment),
                    startUtc,
                    end,
                    async (from, to, ct) =>
                    {
                        var bars = await client.GetBarsAsync(new VendorBarRequest(symbol, interval, from, to, adjustment), ct)
                            .ConfigureAwait(false);
                        counts.Add(bars);
                        return Judge(client.Name, interval, from, to, bars, fetchNotes);
                    },
                    cancellationToken).ConfigureAwait(false);

                var outcome = cached.CacheHit switch
                {
                    CacheHit.Full => CacheOutcome.Full,
                    CacheHit.Partial => CacheOutcome.Partial,
                    _ => CacheOutcome.Miss,
                };
                var served = cached.Bars.Count == 0
                    ? $"{client.Name}: no bars in range"
                    : outcome == CacheOutcome.Full
                        ? $"{client.Name}: {cached.Bars.Count} bars from the cache (no request)"
                        : $"{client.Name}: served {cached.Bars.Count} bars";
                var incomplete = cached.Provisional.Count > 0 || cached.Unanswered.Count > 0;
                attempts.Add(new VendorAttempt(client.Name, null, incomplete ? $"{served} (incomplete, see warnings)" : served));
                var cachedNotes = outcome == CacheOutcome.Full ? ProvisionalNotes(client.Name, cached) : [];
                var batch = Batch(symbol, interval, adjustment, client.Name, cached.Range.Start, cached.Range.End, cached.Bars,
                    outcome, cached.FetchedRanges, counts, attempts, [.. warnings, .. cached.Notes, .. fetchNotes, .. cachedNotes]);
                if (cached.Bars.Count > 0)
                {
                    return batch;
                }

                firstEmpty ??= batch;
            }
            catch (VendorException ex)
            {
                attempts.Add(new VendorAttempt(client.Name, ex.Kind, ex.Message));
                _logger.LogWarning("{Vendor} failed for {Symbol} {Interval} ({Kind}): {Message}; trying the next vendor",
                    client.Name, symbol, interval, ex.Kind, ex.Message);
            }
        }

        if (firstEmpty is not null)
        {
            return firstEmpty with { Attempts = attempts.ToList() };
        }

        var summary = string.Join(" | ", attempts.Select(a => $"{a.Vendor} [{a.Error}] {a.Message}"));
        throw new VendorChainException(string.Create(CultureInfo.InvariantCulture,
            $"no vendor could serve {symbol} {interval} bars {startUtc:yyyy-MM-dd HH:mm}Z..{end:yyyy-MM-dd HH:mm}Z: {summary}"), attempts.ToList());
    }

    /// <summary>How final a vendor's answer for [from, to] is: cut short (kept up to where it was answered, the rest fetched
    /// next time), short against the calendar (cached provisionally for <see cref="MarketDataDalOptions.ProvisionalTtl"/>),
    /// or final. Each non-final verdict adds a warning line.</summary>
    private FetchedBars Judge(string vendor, Timeframe interval, DateTime from, DateTime to, VendorBars bars, List<string> notes)
    {
        if (bars.Incomplete is { } cut)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{vendor} answered only through {cut.AnsweredThroughUtc:yyyy-MM-dd HH:mm}Z of {from:yyyy-MM-dd HH:mm}Z..{to:yyyy-MM-dd HH:mm}Z ({cut.Reason}); kept what it answered, the rest is fetched on a later run"));
            return new FetchedBars(bars.Bars) { AnsweredThroughUtc = cut.AnsweredThroughUtc };
        }

        if (SessionCoverage.Shortfall(interval, from, to, bars.Bars) is { } shortfall)
        {
            var until = Options.TimeProvider.GetUtcNow().UtcDateTime + Options.ProvisionalTtl;
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"{vendor} answered {shortfall} the calendar has in {from:yyyy-MM-dd HH:mm}Z..{to:yyyy-MM-dd HH:mm}Z; cached as provisional until {until:yyyy-MM-dd HH:mm}Z, asked again after that"));
            return new FetchedBars(bars.Bars) { ProvisionalFor = Options.ProvisionalTtl };
        }

        return FetchedBars.Final(bars.Bars);
    }

    /// <summary>Warnings for provisional snapshots a cache hit served.</summary>
    private static IEnumerable<string> ProvisionalNotes(string vendor, CachedBars cached) =>
        cached.Provisional.Select(p => string.Create(CultureInfo.InvariantCulture,
            $"{vendor} bars {p.Range.Start:yyyy-MM-dd HH:mm}Z..{p.Range.End:yyyy-MM-dd HH:mm}Z are provisional (a short answer cached {p.FetchedAtUtc:yyyy-MM-dd HH:mm}Z), asked again after {p.ExpiresAtUtc:yyyy-MM-dd HH:mm}Z"));

    private List<IVendorClient> Chain(DalVendorPlan plan)
    {
        var byName = _clients().ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        var chain = new List<IVendorClient>();
        foreach (var name in plan.Chain)
        {
            chain.Add(byName.TryGetValue(name, out var client)
                ? client
                : throw new MarketDataException(
                    $"AITRADER_VENDOR_CHAIN: {UnknownVendor.Message(name, byName.Keys.Order(StringComparer.Ordinal))}"));
        }

        return chain.Count > 0 ? chain : throw new MarketDataException("the vendor chain is empty; set AITRADER_VENDOR_CHAIN or use --vendor sample");
    }

    private static BarBatch Batch(Symbol symbol, Timeframe interval, PriceAdjustment adjustment, string vendor,
        DateTime startUtc, DateTime endUtc, IReadOnlyList<Bar> bars, CacheOutcome outcome, IReadOnlyList<UtcRange> fetched,
        FetchCounts? counts, IReadOnlyList<VendorAttempt> attempts, IReadOnlyList<string> warnings) => new()
        {
            Symbol = symbol,
            Interval = interval,
            Adjustment = adjustment,
            Vendor = vendor,
            StartUtc = startUtc,
            EndUtc = endUtc,
            Bars = bars,
            Cache = outcome,
            FetchedRanges = fetched,
            DroppedBars = counts?.Dropped ?? 0,
            Duplicates = counts?.Duplicates ?? 0,
            EmptyBars = counts?.Empty ?? 0,
            Flags = OutlierDetector.Detect(bars),
            Attempts = attempts.ToList(),
            Warnings = warnings.ToList(),
        };

    private string? MissingKey(string vendor) => vendor switch
    {
        VendorSettings.AlphaVantage when !HasValue(Settings.AlphaVantageOptions.ApiKey) => "ALPHAVANTAGE_API_KEY",
        VendorSettings.TwelveData when !HasValue(Settings.TwelveDataOptions.ApiKey) => "TWELVEDATA_API_KEY",
        VendorSettings.Finnhub when !HasValue(Settings.FinnhubOptions.ApiKey) => "FINNHUB_API_KEY",
        VendorSettings.Alpaca when !HasValue(Settings.AlpacaOptions.ApiKey) => "APCA_API_KEY_ID",
        VendorSettings.Alpaca when !HasValue(Settings.AlpacaOptions.ApiSecret) => "APCA_API_SECRET_KEY",
        _ => null,
    };

    private static string NoKeyWarning(string variable) => $"no {variable} set; using the bundled sample data";

    private static bool HasValue(string? s) => !string.IsNullOrWhiteSpace(s);

    private static Func<IReadOnlyList<IVendorClient>> Materialize(IEnumerable<IVendorClient> vendors)
    {
        ArgumentNullException.ThrowIfNull(vendors);
        var list = vendors.ToList();
        return () => list;
    }

    /// <summary>Thrown by the cache-only probe's fetch function; the cache writes nothing when a fetch throws.</summary>
    private sealed class RangeNotCachedException : Exception;

    /// <summary>What the vendor removed across the sub-range fetches of one call.</summary>
    private sealed class FetchCounts
    {
        public int Dropped { get; private set; }

        public int Duplicates { get; private set; }

        public int Empty { get; private set; }

        public void Add(VendorBars bars)
        {
            Dropped += bars.DroppedBars;
            Duplicates += bars.Duplicates;
            Empty += bars.EmptyBars;
        }
    }
}
