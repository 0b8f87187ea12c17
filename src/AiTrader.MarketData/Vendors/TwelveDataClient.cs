using System.Globalization;
using System.Text.Json;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using Microsoft.Extensions.Logging;

namespace AiTrader.MarketData.Vendors;

/// <summary>Twelve Data client: time_series in exchange time, quote and the stocks directory.</summary>
public sealed class TwelveDataClient : VendorClientBase
{
    private const string LocalFormat = "yyyy-MM-dd HH:mm:ss";

    private static readonly VendorCapabilities Caps = new(
        Timeframe.All,
        [PriceAdjustment.Raw, PriceAdjustment.Split],
        Streaming: false,
        Quotes: true,
        Listings: true,
        HistoryDepth: "up to 5000 bars per request, walked backwards with end_date windows; free tier 8 credits/min");

    private readonly TwelveDataOptions _options;

    public TwelveDataClient(HttpClient http, TwelveDataOptions options, VendorThrottle? throttle = null,
        ILogger<TwelveDataClient>? logger = null)
        : base(VendorSettings.TwelveData, http, options, throttle, logger) => _options = options;

    public override VendorCapabilities Capabilities => Caps;

    protected override string CredentialsFix => "set a valid TWELVEDATA_API_KEY";

    protected override async Task<VendorBars> FetchBarsAsync(VendorBarRequest request, CancellationToken cancellationToken)
    {
        EnsureSupported(request);
        EnsureKey();
        var daily = !request.Timeframe.IsIntraday;
        // start_date/end_date are read in the exchange zone (New York for the US listings this platform trades).
        var startLocal = ExchangeTime.ToNewYork(request.StartUtc);
        var endLocal = ExchangeTime.ToNewYork(request.EndUtc);
        var startText = daily ? startLocal.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : startLocal.ToString(LocalFormat, CultureInfo.InvariantCulture);
        var endText = daily ? endLocal.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : endLocal.ToString(LocalFormat, CultureInfo.InvariantCulture);

        var rows = new List<Bar>();
        // No cursor paging: when a window comes back full, ask again ending just before its earliest bar.
        for (var window = 0; window < 1000; window++)
        {
            var uri = BuildUri("/time_series",
                ("symbol", request.Symbol.Value),
                ("interval", Interval(request.Timeframe)),
                ("start_date", startText),
                ("end_date", endText),
                ("outputsize", _options.OutputSize.ToString(CultureInfo.InvariantCulture)),
                ("order", "asc"),
                ("adjust", request.Adjustment == PriceAdjustment.Split ? "splits" : "none"),
                ("apikey", _options.ApiKey));
            var (page, earliestLocal) = await ExecuteAsync(async ct =>
            {
                using var doc = await GetJsonAsync(uri, ct).ConfigureAwait(false);
                return doc is null ? ([], null) : ReadSeries(doc.RootElement, daily);
            }, cancellationToken).ConfigureAwait(false);
            rows.AddRange(page);
            if (page.Count < _options.OutputSize || earliestLocal is null)
            {
                break;
            }

            var next = daily
                ? earliestLocal.Value.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                : earliestLocal.Value.AddSeconds(-1).ToString(LocalFormat, CultureInfo.InvariantCulture);
            if (string.CompareOrdinal(next, startText) < 0 || next == endText)
            {
                break;
            }

            endText = next;
        }

        return BarNormalizer.Normalize(Name, request, rows, request.Adjustment);
    }

    public override async Task<Quote> GetLatestQuoteAsync(Symbol symbol, CancellationToken cancellationToken = default)
    {
        EnsureKey();
        var uri = BuildUri("/quote", ("symbol", symbol.Value), ("apikey", _options.ApiKey));
        return await ExecuteAsync(async ct =>
        {
            using var doc = await GetJsonAsync(uri, ct).ConfigureAwait(false)
                ?? throw Fail(VendorErrorKind.NotFound, $"no quote for {symbol}; fix: check the symbol");
            var root = doc.RootElement;
            var last = OptionalDecimal(root, "close");
            var ts = OptionalDecimal(root, "timestamp");
            if (last is null || ts is null)
            {
                throw Fail(VendorErrorKind.MalformedResponse, "quote lacks close/timestamp; fix: report the format change");
            }

            return new Quote(symbol, DateTimeOffset.FromUnixTimeSeconds((long)ts.Value).UtcDateTime, null, null, last, Name);
        }, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<IReadOnlyList<Listing>> GetListingsAsync(CancellationToken cancellationToken = default)
    {
        EnsureKey();
        var uri = BuildUri("/stocks", ("country", "United States"), ("apikey", _options.ApiKey));
        return await ExecuteAsync<IReadOnlyList<Listing>>(async ct =>
        {
            using var doc = await GetJsonAsync(uri, ct).ConfigureAwait(false);
            var result = new List<Listing>();
            if (doc is null || !doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
            {
                return result;
            }

            foreach (var row in data.EnumerateArray())
            {
                if (OptionalString(row, "symbol") is { } s && Symbol.TryParse(s, out var symbol, out _))
                {
                    result.Add(new Listing(symbol, OptionalString(row, "name") ?? "", OptionalString(row, "exchange") ?? "",
                        OptionalString(row, "type") ?? "", ListingStatus.Active));
                }
            }

            return result;
        }, cancellationToken).ConfigureAwait(false);
    }

    private (List<Bar> Rows, DateTime? EarliestLocal) ReadSeries(JsonElement root, bool daily)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("values", out var values) || values.ValueKind != JsonValueKind.Array)
        {
            throw Fail(VendorErrorKind.MalformedResponse, "time_series lacks 'values'; fix: check TWELVEDATA_BASE_URL");
        }

        var zone = ZoneOrNewYork(root.TryGetProperty("meta", out var meta) ? meta : default, "exchange_timezone", "meta.exchange_timezone");
        var rows = new List<Bar>();
        DateTime? earliest = null;
        foreach (var v in values.EnumerateArray())
        {
            var text = OptionalString(v, "datetime") ?? "";
            DateTime t;
            DateTime local;
            if (daily)
            {
                if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    throw Fail(VendorErrorKind.MalformedResponse, $"bad daily datetime '{text}'; fix: report the format change");
                }

                local = date.ToDateTime(TimeOnly.MinValue);
                t = BarNormalizer.DailyOpenUtc(date);
            }
            else if (!DateTime.TryParseExact(text, LocalFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out local)
                     || !BarNormalizer.TryLocalToUtc(local, zone, out t))
            {
                throw Fail(VendorErrorKind.MalformedResponse, $"bad datetime '{text}'; fix: report the format change");
            }

            earliest = earliest is null || local < earliest ? local : earliest;
            rows.Add(new Bar(t,
                ParseDecimal(OptionalString(v, "open"), "open"), ParseDecimal(OptionalString(v, "high"), "high"),
                ParseDecimal(OptionalString(v, "low"), "low"), ParseDecimal(OptionalString(v, "close"), "close"),
                OptionalDecimal(v, "volume") ?? 0m));
        }

        return (rows, earliest);
    }

    /// <summary>GETs and parses JSON, mapping Twelve Data's in-body errors (sent at HTTP 200 or 429). Null = "no data in range".</summary>
    private async Task<JsonDocument?> GetJsonAsync(Uri uri, CancellationToken ct)
    {
        var response = await GetAsync(uri, null, ct).ConfigureAwait(false);
        if (!response.IsSuccess && !response.Body.TrimStart().StartsWith('{'))
        {
            throw StatusError(response, null);
        }

        var doc = ParseJson(response);
        var root = doc.RootElement;
        if (root.ValueKind == JsonValueKind.Object && OptionalString(root, "status") == "error")
        {
            var code = root.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : response.StatusCode;
            var message = Snippet(OptionalString(root, "message") ?? "");
            doc.Dispose();
            if (message.Contains("No data is available", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            throw code switch
            {
                429 => RateLimited($"code 429: {message}", response.RetryAfter),
                401 or 403 => Unauthorized($"code {code}: {message}"),
                404 => Fail(VendorErrorKind.NotFound, $"code 404: {message}; fix: check the symbol"),
                >= 500 => Fail(VendorErrorKind.ServerError, $"code {code}: {message}; fix: retry later or use another vendor"),
                _ => Fail(VendorErrorKind.BadRequest, $"code {code}: {message}; fix: check symbol, interval and dates"),
            };
        }

        if (!response.IsSuccess)
        {
            doc.Dispose();
            throw StatusError(response, null);
        }

        return doc;
    }

    private void EnsureKey()
    {
        if (string.IsNullOrEmpty(_options.ApiKey))
        {
            throw Unauthorized("no key configured");
        }
    }

    private static string Interval(Timeframe tf) => tf.Minutes switch
    {
        1440 => "1day",
        60 => "1h",
        _ => $"{tf.Minutes}min",
    };
}
