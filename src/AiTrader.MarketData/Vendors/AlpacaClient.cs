using System.Globalization;
using System.Text.Json;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using Microsoft.Extensions.Logging;

namespace AiTrader.MarketData.Vendors;

/// <summary>Alpaca market-data v2 REST client: paged historical bars and the latest NBBO quote.</summary>
public sealed class AlpacaClient : VendorClientBase
{
    private static readonly VendorCapabilities Caps = new(
        Timeframe.All,
        [PriceAdjustment.Raw, PriceAdjustment.Split],
        Streaming: true,
        Quotes: true,
        Listings: false,
        HistoryDepth: "IEX feed from 2020; SIP from 2016 (paid); free plans cannot query the latest 15 minutes of SIP");

    private readonly AlpacaOptions _options;

    public AlpacaClient(HttpClient http, AlpacaOptions options, VendorThrottle? throttle = null, ILogger<AlpacaClient>? logger = null)
        : base(VendorSettings.Alpaca, http, options, throttle, logger) => _options = options;

    public override VendorCapabilities Capabilities => Caps;

    protected override string CredentialsFix => "set a valid APCA_API_KEY_ID and APCA_API_SECRET_KEY";

    protected override async Task<VendorBars> FetchBarsAsync(VendorBarRequest request, CancellationToken cancellationToken)
    {
        EnsureSupported(request);
        EnsureKeys();

        // Daily bars are stamped at New York midnight, before our 09:30 label: widen the start to that midnight.
        var start = request.Timeframe.IsIntraday
            ? request.StartUtc
            : ExchangeTime.ToUtc(ExchangeTime.SessionDate(request.StartUtc), TimeOnly.MinValue);
        var rows = new List<Bar>();
        string? pageToken = null;
        var pages = 0;
        // Every token seen: a server cycling A → B → A would otherwise be followed forever.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        do
        {
            if (pages >= _options.MaxPages)
            {
                throw Fail(VendorErrorKind.MalformedResponse,
                    $"still sending next_page_token after {_options.MaxPages} pages (MaxPages); fix: shorten the range or raise AlpacaOptions.MaxPages");
            }

            var uri = BuildUri($"/v2/stocks/{Uri.EscapeDataString(request.Symbol.Value)}/bars",
                ("timeframe", request.Timeframe.ToString()),
                ("start", Rfc3339(start)),
                ("end", Rfc3339(request.EndUtc)),
                ("limit", _options.PageLimit.ToString(CultureInfo.InvariantCulture)),
                ("adjustment", request.Adjustment == PriceAdjustment.Split ? "split" : "raw"),
                ("feed", _options.Feed),
                ("sort", "asc"),
                ("page_token", pageToken));
            pageToken = await ExecuteAsync(async ct =>
            {
                var response = await GetAsync(uri, Authenticate, ct).ConfigureAwait(false);
                using var doc = Check(response);
                var root = doc.RootElement;
                if (!root.TryGetProperty("bars", out var bars))
                {
                    throw Fail(VendorErrorKind.MalformedResponse, "response has no 'bars' field; fix: check ALPACA_DATA_BASE_URL");
                }

                if (bars.ValueKind == JsonValueKind.Array)
                {
                    foreach (var b in bars.EnumerateArray())
                    {
                        if (b.ValueKind != JsonValueKind.Object)
                        {
                            throw Fail(VendorErrorKind.MalformedResponse, $"a bar is {b.ValueKind}, not an object; fix: report the format change");
                        }

                        rows.Add(ParseBar(b, request.Timeframe));
                    }
                }
                else if (bars.ValueKind != JsonValueKind.Null)
                {
                    // null is Alpaca's empty answer; anything else (an object, a number) is not a list of bars.
                    throw Fail(VendorErrorKind.MalformedResponse, $"'bars' is {bars.ValueKind}, not a list; fix: report the format change");
                }

                return OptionalString(root, "next_page_token");
            }, cancellationToken).ConfigureAwait(false);

            if (!string.IsNullOrEmpty(pageToken) && !seen.Add(pageToken))
            {
                throw Fail(VendorErrorKind.MalformedResponse,
                    $"next_page_token repeated after {pages + 1} pages (the server's paging cycles); fix: retry later or use another vendor");
            }

            pages++;
        }
        while (!string.IsNullOrEmpty(pageToken));

        Logger.LogDebug("{Vendor}: {Symbol} {Timeframe} {Count} bars in {Pages} pages", Name, request.Symbol, request.Timeframe, rows.Count, pages);
        return BarNormalizer.Normalize(Name, request, rows, request.Adjustment);
    }

    public override async Task<Quote> GetLatestQuoteAsync(Symbol symbol, CancellationToken cancellationToken = default)
    {
        EnsureKeys();
        var uri = BuildUri($"/v2/stocks/{Uri.EscapeDataString(symbol.Value)}/quotes/latest", ("feed", _options.Feed));
        return await ExecuteAsync(async ct =>
        {
            var response = await GetAsync(uri, Authenticate, ct).ConfigureAwait(false);
            using var doc = Check(response);
            if (!doc.RootElement.TryGetProperty("quote", out var q) || q.ValueKind != JsonValueKind.Object)
            {
                throw Fail(VendorErrorKind.MalformedResponse, "response has no 'quote' object; fix: check ALPACA_DATA_BASE_URL");
            }

            // Alpaca sends 0 for an empty side of the book.
            var bid = OptionalDecimal(q, "bp") is { } b and > 0 ? b : (decimal?)null;
            var ask = OptionalDecimal(q, "ap") is { } a and > 0 ? a : (decimal?)null;
            return new Quote(symbol, ParseTime(q, "t"), bid, ask, null, Name);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Most symbols per <c>/v2/stocks/snapshots</c> request: the symbol list rides in the URL.</summary>
    public const int MaxSnapshotSymbols = 200;

    /// <summary>Snapshots of many symbols in one request (<c>GET /v2/stocks/snapshots?symbols=</c>, an object keyed by
    /// symbol with no wrapper): latest trade, and the daily and previous daily bars. Unknown symbols are absent or null.</summary>
    /// <exception cref="ArgumentException">More than <see cref="MaxSnapshotSymbols"/> symbols.</exception>
    public async Task<IReadOnlyDictionary<Symbol, AlpacaSnapshot>> GetSnapshotsAsync(IReadOnlyList<Symbol> symbols, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        if (symbols.Count > MaxSnapshotSymbols)
        {
            throw new ArgumentException($"At most {MaxSnapshotSymbols} symbols per snapshot request (got {symbols.Count}).", nameof(symbols));
        }

        EnsureKeys();
        var result = new Dictionary<Symbol, AlpacaSnapshot>();
        if (symbols.Count == 0)
        {
            return result;
        }

        var uri = BuildUri("/v2/stocks/snapshots", ("symbols", string.Join(",", symbols.Select(s => s.Value))), ("feed", _options.Feed));
        return await ExecuteAsync<IReadOnlyDictionary<Symbol, AlpacaSnapshot>>(async ct =>
        {
            using var doc = Check(await GetAsync(uri, Authenticate, ct).ConfigureAwait(false));
            foreach (var entry in doc.RootElement.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.Object || !Symbol.TryParse(entry.Name, out var symbol, out _))
                {
                    continue;
                }

                var s = entry.Value;
                var trade = s.TryGetProperty("latestTrade", out var t) && t.ValueKind == JsonValueKind.Object ? t : default;
                result[symbol] = new AlpacaSnapshot(symbol,
                    OptionalDecimal(trade, "p"),
                    trade.ValueKind == JsonValueKind.Object ? ParseTime(trade, "t") : null,
                    DailyBar(s, "dailyBar"),
                    DailyBar(s, "prevDailyBar"));
            }

            return result;
        }, cancellationToken).ConfigureAwait(false);
    }

    private (DateOnly Date, decimal Close)? DailyBar(JsonElement snapshot, string name) =>
        snapshot.TryGetProperty(name, out var bar) && bar.ValueKind == JsonValueKind.Object && OptionalDecimal(bar, "c") is { } close
            ? (ExchangeTime.SessionDate(ParseTime(bar, "t")), close)
            : null;

    public override Task<IReadOnlyList<Listing>> GetListingsAsync(CancellationToken cancellationToken = default) =>
        throw Unsupported("the market-data API has no symbol directory (assets live on the trading API)",
            "use alphavantage, twelvedata or finnhub listings");

    private void EnsureKeys()
    {
        if (string.IsNullOrEmpty(_options.ApiKey) || string.IsNullOrEmpty(_options.ApiSecret))
        {
            throw Unauthorized("no key configured");
        }
    }

    private void Authenticate(HttpRequestMessage request)
    {
        request.Headers.TryAddWithoutValidation("APCA-API-KEY-ID", _options.ApiKey);
        request.Headers.TryAddWithoutValidation("APCA-API-SECRET-KEY", _options.ApiSecret);
    }

    private JsonDocument Check(VendorResponse response)
    {
        if (!response.IsSuccess)
        {
            string? message = null;
            if (response.Body.TrimStart().StartsWith('{'))
            {
                try
                {
                    using var err = JsonDocument.Parse(response.Body);
                    message = OptionalString(err.RootElement, "message");
                    if (err.RootElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number)
                    {
                        message = $"{message} (code {code.GetRawText()})";
                    }
                }
                catch (JsonException)
                {
                }
            }

            throw StatusError(response, message);
        }

        var doc = ParseJson(response);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw Fail(VendorErrorKind.MalformedResponse, "expected a JSON object; fix: check ALPACA_DATA_BASE_URL");
        }

        return doc;
    }

    private Bar ParseBar(JsonElement b, Timeframe timeframe)
    {
        var t = ParseTime(b, "t");
        if (!timeframe.IsIntraday)
        {
            // Alpaca labels daily bars at New York midnight; the platform labels them at the 09:30 open.
            t = BarNormalizer.DailyOpenUtc(ExchangeTime.SessionDate(t));
        }

        long? n = b.TryGetProperty("n", out var ne) && ne.ValueKind == JsonValueKind.Number && ne.TryGetInt64(out var nv) ? nv : null;
        return new Bar(t,
            ParseDecimal(Prop(b, "o"), "o"), ParseDecimal(Prop(b, "h"), "h"), ParseDecimal(Prop(b, "l"), "l"),
            ParseDecimal(Prop(b, "c"), "c"), ParseDecimal(Prop(b, "v"), "v"), n, OptionalDecimal(b, "vw"));
    }

    private DateTime ParseTime(JsonElement parent, string name)
    {
        var text = OptionalString(parent, name);
        if (text is null || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dto))
        {
            throw Fail(VendorErrorKind.MalformedResponse, $"field '{name}' is not an RFC-3339 time ('{text}'); fix: report the format change");
        }

        return dto.UtcDateTime;
    }

    private static JsonElement Prop(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v : default;

    private static string Rfc3339(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
