using System.Globalization;
using System.Text.Json;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using Microsoft.Extensions.Logging;

namespace AiTrader.MarketData.Vendors;

/// <summary>Yahoo Finance chart v8 client (unofficial, keyless): split-adjusted bars and the last regular-market price.</summary>
public sealed class YahooClient : VendorClientBase
{
    private static readonly VendorCapabilities Caps = new(
        Timeframe.All,
        // Chart OHLC is already split-adjusted and the split events only cover the requested window,
        // so as-traded prices cannot be rebuilt reliably.
        [PriceAdjustment.Split],
        Streaming: false,
        Quotes: true,
        Listings: false,
        HistoryDepth: "1m about 8 days; 2m-90m about 60 days; 1h about 730 days; daily full history");

    private readonly YahooOptions _options;

    public YahooClient(HttpClient http, YahooOptions options, VendorThrottle? throttle = null, ILogger<YahooClient>? logger = null)
        : base(VendorSettings.Yahoo, http, options, throttle, logger) => _options = options;

    public override VendorCapabilities Capabilities => Caps;

    protected override string CredentialsFix => "Yahoo needs no key, so the chart endpoint now wants a cookie/crumb; use another vendor";

    protected override async Task<VendorBars> FetchBarsAsync(VendorBarRequest request, CancellationToken cancellationToken)
    {
        EnsureSupported(request);
        var daily = !request.Timeframe.IsIntraday;
        var from = daily ? ExchangeTime.ToUtc(ExchangeTime.SessionDate(request.StartUtc), TimeOnly.MinValue) : request.StartUtc;
        var uri = BuildUri($"/v8/finance/chart/{Uri.EscapeDataString(request.Symbol.Value)}",
            ("interval", Interval(request.Timeframe)),
            ("period1", Epoch(from)),
            ("period2", Epoch(request.EndUtc + request.Timeframe.Duration)),
            ("includePrePost", "false"),
            ("events", "div,splits"));

        var (rows, empty) = await ExecuteAsync(async ct =>
        {
            using var doc = Check(await GetAsync(uri, Browser, ct).ConfigureAwait(false));
            return ReadBars(Result(doc.RootElement, request.Symbol), daily);
        }, cancellationToken).ConfigureAwait(false);
        return BarNormalizer.Normalize(Name, request, rows, PriceAdjustment.Split, empty);
    }

    public override async Task<Quote> GetLatestQuoteAsync(Symbol symbol, CancellationToken cancellationToken = default)
    {
        var uri = BuildUri($"/v8/finance/chart/{Uri.EscapeDataString(symbol.Value)}", ("interval", "1d"), ("range", "1d"));
        return await ExecuteAsync(async ct =>
        {
            using var doc = Check(await GetAsync(uri, Browser, ct).ConfigureAwait(false));
            var result = Result(doc.RootElement, symbol);
            var meta = result.TryGetProperty("meta", out var m) ? m : default;
            var price = OptionalDecimal(meta, "regularMarketPrice");
            var time = OptionalDecimal(meta, "regularMarketTime");
            if (price is null || time is null)
            {
                throw Fail(VendorErrorKind.MalformedResponse, "meta lacks regularMarketPrice/regularMarketTime; fix: report the format change");
            }

            return new Quote(symbol, DateTimeOffset.FromUnixTimeSeconds((long)time.Value).UtcDateTime, null, null, price, Name);
        }, cancellationToken).ConfigureAwait(false);
    }

    public override Task<IReadOnlyList<Listing>> GetListingsAsync(CancellationToken cancellationToken = default) =>
        throw Unsupported("the chart API has no symbol directory", "use alphavantage, twelvedata or finnhub listings");

    private (List<Bar> Rows, int Empty) ReadBars(JsonElement result, bool daily)
    {
        var rows = new List<Bar>();
        if (result.ValueKind != JsonValueKind.Object)
        {
            throw Fail(VendorErrorKind.MalformedResponse, $"chart result is {result.ValueKind}, not an object; fix: report the format change");
        }

        if (!result.TryGetProperty("timestamp", out var stamps) || stamps.ValueKind == JsonValueKind.Null)
        {
            return (rows, 0); // Yahoo omits "timestamp" entirely when the window holds no bars.
        }

        if (stamps.ValueKind != JsonValueKind.Array)
        {
            throw Fail(VendorErrorKind.MalformedResponse, $"'timestamp' is {stamps.ValueKind}, not a list; fix: report the format change");
        }

        var meta = result.TryGetProperty("meta", out var m) ? m : default;
        // gmtoffset is only today's offset; the IANA zone gives the right offset on each historical date.
        var zone = ZoneOrNewYork(meta, "exchangeTimezoneName", "exchangeTimezoneName");
        if (!result.TryGetProperty("indicators", out var ind) || !ind.TryGetProperty("quote", out var quotes)
            || quotes.ValueKind != JsonValueKind.Array || quotes.GetArrayLength() == 0)
        {
            throw Fail(VendorErrorKind.MalformedResponse, "chart result lacks indicators.quote[0]; fix: report the format change");
        }

        var q = quotes[0];
        var open = Column(q, "open");
        var high = Column(q, "high");
        var low = Column(q, "low");
        var close = Column(q, "close");
        var volume = Column(q, "volume");
        var count = stamps.GetArrayLength();
        var empty = 0;
        for (var i = 0; i < count; i++)
        {
            var o = At(open, i);
            var h = At(high, i);
            var l = At(low, i);
            var c = At(close, i);
            if (o is null || h is null || l is null || c is null)
            {
                empty++; // Halted or tradeless interval: Yahoo pads it with nulls.
                continue;
            }

            if (stamps[i].ValueKind != JsonValueKind.Number || !stamps[i].TryGetInt64(out var epoch) || epoch is < 0 or > MaxEpochSeconds)
            {
                throw Fail(VendorErrorKind.MalformedResponse, $"timestamp[{i}] is not epoch seconds ({Snippet(stamps[i].GetRawText(), 30)}); fix: report the format change");
            }

            var t = DateTimeOffset.FromUnixTimeSeconds(epoch).UtcDateTime;
            if (daily)
            {
                var localDate = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(t, zone));
                t = BarNormalizer.DailyOpenUtc(localDate);
            }

            rows.Add(new Bar(t, o.Value, h.Value, l.Value, c.Value, At(volume, i) ?? 0m));
        }

        return (rows, empty);
    }

    /// <summary>9999-12-31 23:59:59Z, the last instant a DateTime holds.</summary>
    private const long MaxEpochSeconds = 253_402_300_799;

    private JsonElement Column(JsonElement quote, string name)
    {
        if (!quote.TryGetProperty(name, out var col) || col.ValueKind != JsonValueKind.Array)
        {
            throw Fail(VendorErrorKind.MalformedResponse, $"indicators.quote[0] lacks '{name}'; fix: report the format change");
        }

        return col;
    }

    private static decimal? At(JsonElement column, int i) =>
        i < column.GetArrayLength() && TryDecimal(column[i], out var d) ? d : null;

    private JsonElement Result(JsonElement root, Symbol symbol)
    {
        if (!root.TryGetProperty("chart", out var chart) || chart.ValueKind != JsonValueKind.Object)
        {
            throw Fail(VendorErrorKind.MalformedResponse, "response has no 'chart' object; fix: check YAHOO_BASE_URL");
        }

        if (chart.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            throw ChartError(error, 200);
        }

        if (!chart.TryGetProperty("result", out var results) || results.ValueKind != JsonValueKind.Array || results.GetArrayLength() == 0)
        {
            throw Fail(VendorErrorKind.NotFound, $"no chart result for {symbol}; fix: check the symbol");
        }

        return results[0];
    }

    private VendorException ChartError(JsonElement error, int status)
    {
        var code = OptionalString(error, "code") ?? "";
        var description = OptionalString(error, "description") ?? "";
        var text = $"{code}: {description}";
        if (code.Equals("Not Found", StringComparison.OrdinalIgnoreCase) || status == 404)
        {
            return Fail(VendorErrorKind.NotFound, $"{text}; fix: check the symbol (it may be delisted)");
        }

        return status is not 200 and not 400
            ? StatusError(new VendorResponse(status, null, text, null), text)
            : Fail(VendorErrorKind.BadRequest, $"{text}; fix: check interval and dates (intraday history is limited)");
    }

    private JsonDocument Check(VendorResponse response)
    {
        if (!response.IsSuccess)
        {
            // 404 and 400 carry a chart.error object; 429 is plain text "Too Many Requests".
            if (response.StatusCode is 404 or 400 && response.Body.TrimStart().StartsWith('{'))
            {
                try
                {
                    using var err = JsonDocument.Parse(response.Body);
                    if (err.RootElement.TryGetProperty("chart", out var c) && c.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object)
                    {
                        throw ChartError(e, response.StatusCode);
                    }
                }
                catch (JsonException)
                {
                }
            }

            if (response.StatusCode >= 500 && response.Body.Contains("Will be right back", StringComparison.OrdinalIgnoreCase))
            {
                throw Fail(VendorErrorKind.ServerError, $"outage page (HTTP {response.StatusCode}, \"Will be right back\"); fix: retry later or use another vendor");
            }

            throw StatusError(response, response.MediaType?.Contains("html", StringComparison.OrdinalIgnoreCase) == true ? "HTML error page" : null);
        }

        var doc = ParseJson(response);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw Fail(VendorErrorKind.MalformedResponse, "expected a JSON object; fix: check YAHOO_BASE_URL");
        }

        return doc;
    }

    private void Browser(HttpRequestMessage request) => request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);

    private static string Interval(Timeframe tf) => tf.Minutes switch
    {
        1440 => "1d",
        _ => $"{tf.Minutes}m",
    };

    private static string Epoch(DateTime utc) =>
        new DateTimeOffset(utc).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
