using System.Globalization;
using System.Text.Json;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using Microsoft.Extensions.Logging;

namespace AiTrader.MarketData.Vendors;

/// <summary>Alpha Vantage client: intraday month slices, daily series, global quote and the LISTING_STATUS CSV.</summary>
public sealed class AlphaVantageClient : VendorClientBase
{
    private static readonly VendorCapabilities Caps = new(
        Timeframe.All,
        [PriceAdjustment.Raw, PriceAdjustment.Split],
        Streaming: false,
        Quotes: true,
        Listings: true,
        HistoryDepth: "intraday back to 2000-01 by month slice; daily 20+ years; free tier 25 requests/day");

    private readonly AlphaVantageOptions _options;

    public AlphaVantageClient(HttpClient http, AlphaVantageOptions options, VendorThrottle? throttle = null,
        ILogger<AlphaVantageClient>? logger = null)
        : base(VendorSettings.AlphaVantage, http, options, throttle, logger) => _options = options;

    public override VendorCapabilities Capabilities => Caps;

    protected override string CredentialsFix => "set a valid ALPHAVANTAGE_API_KEY";

    protected override async Task<VendorBars> FetchBarsAsync(VendorBarRequest request, CancellationToken cancellationToken)
    {
        EnsureSupported(request);
        EnsureKey();
        return request.Timeframe.IsIntraday
            ? await GetIntradayAsync(request, cancellationToken).ConfigureAwait(false)
            : await GetDailyAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<Quote> GetLatestQuoteAsync(Symbol symbol, CancellationToken cancellationToken = default)
    {
        EnsureKey();
        var uri = Query(("function", "GLOBAL_QUOTE"), ("symbol", symbol.Value), ("datatype", "json"));
        return await ExecuteAsync(async ct =>
        {
            using var doc = ParseChecked(await GetAsync(uri, null, ct).ConfigureAwait(false));
            if (!doc.RootElement.TryGetProperty("Global Quote", out var q) || q.ValueKind != JsonValueKind.Object)
            {
                throw Fail(VendorErrorKind.MalformedResponse, "response has no 'Global Quote'; fix: check ALPHAVANTAGE_BASE_URL");
            }

            string? price = null, day = null;
            foreach (var p in q.EnumerateObject())
            {
                if (p.Name.EndsWith(". price", StringComparison.Ordinal))
                {
                    price = p.Value.GetString();
                }
                else if (p.Name.EndsWith(". latest trading day", StringComparison.Ordinal))
                {
                    day = p.Value.GetString();
                }
            }

            if (price is null || day is null || !DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            {
                throw Fail(VendorErrorKind.NotFound, $"no quote for {symbol}; fix: check the symbol");
            }

            // GLOBAL_QUOTE carries only the trading day; stamp it at that session's 16:00 close.
            return new Quote(symbol, ExchangeTime.ToUtc(date, new TimeOnly(16, 0)), null, null, ParseDecimal(price, "05. price"), Name);
        }, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<IReadOnlyList<Listing>> GetListingsAsync(CancellationToken cancellationToken = default)
    {
        EnsureKey();
        var uri = Query(("function", "LISTING_STATUS"));
        return await ExecuteAsync(async ct =>
        {
            var response = await GetAsync(uri, null, ct).ConfigureAwait(false);
            var body = response.Body.TrimStart('\uFEFF', ' ', '\r', '\n', '\t');
            if (!response.IsSuccess || body.StartsWith('{') || body.StartsWith('<') || body.Length == 0)
            {
                // LISTING_STATUS errors arrive as JSON (or an HTML page) instead of CSV.
                using var doc = ParseChecked(response);
                throw Fail(VendorErrorKind.MalformedResponse, "expected CSV from LISTING_STATUS; fix: check ALPHAVANTAGE_BASE_URL");
            }

            return ParseListings(body);
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<VendorBars> GetIntradayAsync(VendorBarRequest request, CancellationToken cancellationToken)
    {
        var interval = $"{request.Timeframe.Minutes}min";
        var zoneShift = _options.IntradayStampIsBarEnd ? request.Timeframe.Duration : TimeSpan.Zero;
        var rows = new List<Bar>();
        // One request per New York calendar month: AV serves history only as whole-month slices.
        var first = ExchangeTime.ToNewYork(request.StartUtc - zoneShift);
        var last = ExchangeTime.ToNewYork(request.EndUtc);
        DateTime? answeredThrough = null;
        for (var month = new DateOnly(first.Year, first.Month, 1); month <= DateOnly.FromDateTime(last); month = month.AddMonths(1))
        {
            var uri = Query(
                ("function", "TIME_SERIES_INTRADAY"),
                ("symbol", request.Symbol.Value),
                ("interval", interval),
                ("adjusted", request.Adjustment == PriceAdjustment.Split ? "true" : "false"),
                ("extended_hours", _options.ExtendedHours ? "true" : "false"),
                ("month", month.ToString("yyyy-MM", CultureInfo.InvariantCulture)),
                ("outputsize", "full"),
                ("datatype", "json"));
            List<Bar> slice;
            try
            {
                slice = await ExecuteAsync(async ct =>
                {
                    using var doc = ParseChecked(await GetAsync(uri, null, ct).ConfigureAwait(false));
                    return ReadSeries(doc.RootElement, $"Time Series ({interval})", intraday: true, zoneShift, out _);
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (VendorException ex) when (answeredThrough is { } through && ex.Kind is not VendorErrorKind.Unauthorized)
            {
                // The slices already read are whole months and stay good: hand them back as a partial answer (the DAL
                // caches them and fetches the rest later) instead of throwing away a day's quota.
                Logger.LogWarning("{Vendor}: stopped after the slices through {Through:O}: {Error}", Name, through, ex.Message);
                var partial = BarNormalizer.Normalize(Name, request, rows, request.Adjustment);
                return partial with { Incomplete = new IncompleteAnswer(through < request.EndUtc ? through : request.EndUtc, ex.Message) };
            }

            rows.AddRange(slice);
            // The month ends at the next month's New York midnight; its bars (shifted for end stamps) end before that.
            answeredThrough = ExchangeTime.ToUtc(month.AddMonths(1), TimeOnly.MinValue).AddTicks(-TimeSpan.TicksPerMicrosecond) - zoneShift;
        }

        return BarNormalizer.Normalize(Name, request, rows, request.Adjustment);
    }

    private async Task<VendorBars> GetDailyAsync(VendorBarRequest request, CancellationToken cancellationToken)
    {
        var adjusted = request.Adjustment == PriceAdjustment.Split;
        if (adjusted && !_options.UseDailyAdjusted)
        {
            throw Unsupported("split-adjusted daily bars need TIME_SERIES_DAILY_ADJUSTED, which is disabled",
                "request Raw bars or enable AlphaVantageOptions.UseDailyAdjusted (premium key)");
        }

        var uri = Query(
            ("function", adjusted ? "TIME_SERIES_DAILY_ADJUSTED" : "TIME_SERIES_DAILY"),
            ("symbol", request.Symbol.Value),
            ("outputsize", "full"),
            ("datatype", "json"));
        var rows = await ExecuteAsync(async ct =>
        {
            using var doc = ParseChecked(await GetAsync(uri, null, ct).ConfigureAwait(false));
            var bars = ReadSeries(doc.RootElement, "Time Series (Daily)", intraday: false, TimeSpan.Zero, out var splits);
            return adjusted ? ApplySplits(bars, splits) : bars;
        }, cancellationToken).ConfigureAwait(false);
        return BarNormalizer.Normalize(Name, request, rows, request.Adjustment);
    }

    /// <summary>Back-adjusts for splits only (AV's own adjusted close also folds in dividends, which the platform keeps separate).
    /// Prices come out with long fractions (322.535 / 3); <see cref="BarNormalizer"/> rounds them to the tick.</summary>
    private List<Bar> ApplySplits(List<Bar> bars, Dictionary<DateTime, decimal> splits)
    {
        var ordered = bars.OrderByDescending(b => b.Timestamp).ToList();
        var factor = 1m;
        var result = new List<Bar>(ordered.Count);
        foreach (var bar in ordered)
        {
            result.Add(factor == 1m
                ? bar
                : bar with
                {
                    Open = bar.Open / factor,
                    High = bar.High / factor,
                    Low = bar.Low / factor,
                    Close = bar.Close / factor,
                    Volume = bar.Volume * factor,
                });
            // The coefficient sits on the ex-date row and applies to every earlier session.
            if (splits.TryGetValue(bar.Timestamp, out var coefficient))
            {
                factor *= coefficient;
                if (factor is > MaxCumulativeSplit or < 1m / MaxCumulativeSplit)
                {
                    throw Fail(VendorErrorKind.MalformedResponse,
                        $"split coefficients multiply to {factor:G6} before {bar.Timestamp:yyyy-MM-dd}, beyond any real share history; fix: report the bad split data or use another vendor");
                }
            }
        }

        result.Reverse();
        return result;
    }

    /// <summary>One split's coefficient bound (1:1000 reverse to 1000:1 forward; real ones sit well inside) and the bound
    /// of their product over a history, so dividing by it can neither overflow nor divide by zero.</summary>
    private const decimal MaxSplitCoefficient = 1000m;

    private const decimal MaxCumulativeSplit = 1_000_000_000m;

    private List<Bar> ReadSeries(JsonElement root, string seriesKey, bool intraday, TimeSpan stampShift, out Dictionary<DateTime, decimal> splits)
    {
        splits = [];
        if (!root.TryGetProperty(seriesKey, out var series) || series.ValueKind != JsonValueKind.Object)
        {
            var keys = string.Join(", ", root.EnumerateObject().Select(p => p.Name));
            throw Fail(VendorErrorKind.MalformedResponse, $"response lacks '{seriesKey}' (keys: {keys}); fix: check ALPHAVANTAGE_BASE_URL and the interval");
        }

        var zone = ExchangeTime.NewYork;
        if (root.TryGetProperty("Meta Data", out var meta) && meta.ValueKind == JsonValueKind.Object)
        {
            // The zone key is "6. Time Zone" intraday and "5. Time Zone" daily: match the suffix.
            foreach (var p in meta.EnumerateObject())
            {
                if (p.Name.EndsWith("Time Zone", StringComparison.Ordinal))
                {
                    zone = FindZone(p.Value, p.Name);
                }
            }
        }

        var bars = new List<Bar>();
        foreach (var row in series.EnumerateObject())
        {
            DateTime t;
            if (intraday)
            {
                if (!DateTime.TryParseExact(row.Name, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
                    || !BarNormalizer.TryLocalToUtc(local, zone, out t))
                {
                    throw Fail(VendorErrorKind.MalformedResponse, $"bad intraday time key '{row.Name}'; fix: report the format change");
                }

                t -= stampShift;
            }
            else
            {
                if (!DateOnly.TryParseExact(row.Name, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    throw Fail(VendorErrorKind.MalformedResponse, $"bad daily date key '{row.Name}'; fix: report the format change");
                }

                t = BarNormalizer.DailyOpenUtc(date);
            }

            if (row.Value.ValueKind != JsonValueKind.Object)
            {
                throw Fail(VendorErrorKind.MalformedResponse, $"row '{Snippet(row.Name, 30)}' is {row.Value.ValueKind}, not an object of prices; fix: report the format change");
            }

            string? o = null, h = null, l = null, c = null, v = null, split = null;
            foreach (var f in row.Value.EnumerateObject())
            {
                // Field names are numbered ("1. open"); daily adjusted moves volume to "6. volume".
                var name = f.Name[(f.Name.IndexOf(". ", StringComparison.Ordinal) + 2)..];
                var value = f.Value.ValueKind == JsonValueKind.String ? f.Value.GetString() : f.Value.GetRawText();
                switch (name)
                {
                    case "open": o = value; break;
                    case "high": h = value; break;
                    case "low": l = value; break;
                    case "close": c = value; break;
                    case "volume": v = value; break;
                    case "split coefficient": split = value; break;
                }
            }

            bars.Add(new Bar(t, ParseDecimal(o, "open"), ParseDecimal(h, "high"), ParseDecimal(l, "low"), ParseDecimal(c, "close"), ParseDecimal(v, "volume")));
            if (split is not null && ParseDecimal(split, "split coefficient") is var coefficient && coefficient != 1m)
            {
                if (coefficient is <= 0m or > MaxSplitCoefficient || coefficient < 1m / MaxSplitCoefficient)
                {
                    throw Fail(VendorErrorKind.MalformedResponse,
                        $"split coefficient {Snippet(split, 30)} on {row.Name} is outside 1/{MaxSplitCoefficient:0}..{MaxSplitCoefficient:0}; fix: report the bad split data or use another vendor");
                }

                splits[t] = coefficient;
            }
        }

        return bars;
    }

    /// <summary>Parses a 200 body, turning AV's in-band error keys into typed errors (checked in the official wrapper's order).</summary>
    private JsonDocument ParseChecked(VendorResponse response)
    {
        if (!response.IsSuccess)
        {
            throw StatusError(response, null);
        }

        var doc = ParseJson(response);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw Fail(VendorErrorKind.MalformedResponse, "expected a JSON object; fix: check ALPHAVANTAGE_BASE_URL");
        }

        if (OptionalString(root, "Error Message") is { } error)
        {
            doc.Dispose();
            throw IsKeyProblem(error)
                ? Unauthorized(error)
                : Fail(VendorErrorKind.NotFound, $"invalid API call ({error}); fix: check the symbol");
        }

        if (OptionalString(root, "Information") is { } info)
        {
            doc.Dispose();
            throw ClassifyInformation(info);
        }

        if (OptionalString(root, "Note") is { } note)
        {
            // The Note text names both the minute and the day limit; the minute one is the one a Note answers, so
            // ask for a minute's wait (longer than MaxRetryAfter by default: the chain moves on rather than sit).
            doc.Dispose();
            throw RateLimited(note, _options.MinuteLimitWait);
        }

        return doc;
    }

    private VendorException ClassifyInformation(string info)
    {
        if (IsKeyProblem(info))
        {
            return Unauthorized(info);
        }

        if (Contains(info, "per day") || Contains(info, "daily"))
        {
            // "25 requests per day": nothing heals before tomorrow, so this is never retried.
            return Fail(VendorErrorKind.QuotaExhausted,
                $"daily request quota used up ({Snippet(info)}); fix: wait until tomorrow (UTC), use a premium key or another vendor");
        }

        if (Contains(info, "rate limit") || Contains(info, "call frequency") || Contains(info, "burst") || Contains(info, "requests per"))
        {
            return RateLimited(info, _options.MinuteLimitWait);
        }

        if (Contains(info, "premium"))
        {
            return Unsupported($"premium endpoint ({info})", "request Raw bars, use a premium key, or another vendor");
        }

        if (Contains(info, "demo"))
        {
            return Unauthorized(info);
        }

        return RateLimited(info);
    }

    private static bool IsKeyProblem(string text) =>
        Contains(text, "apikey") && (Contains(text, "invalid") || Contains(text, "missing"));

    private static bool Contains(string text, string word) => text.Contains(word, StringComparison.OrdinalIgnoreCase);

    private List<Listing> ParseListings(string csv)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0 || !lines[0].StartsWith("symbol,", StringComparison.OrdinalIgnoreCase))
        {
            throw Fail(VendorErrorKind.MalformedResponse, $"LISTING_STATUS header is '{Snippet(lines.FirstOrDefault() ?? "", 60)}'; fix: report the format change");
        }

        var result = new List<Listing>(lines.Length - 1);
        foreach (var line in lines.Skip(1))
        {
            var f = SplitCsv(line);
            if (f.Count < 7)
            {
                continue;
            }

            // Names are not reliably quoted: symbol is first and the last five columns are fixed, the rest is the name.
            var name = string.Join(",", f.Skip(1).Take(f.Count - 6));
            var status = f[^1].Equals("Active", StringComparison.OrdinalIgnoreCase) ? ListingStatus.Active
                : f[^1].Equals("Delisted", StringComparison.OrdinalIgnoreCase) ? ListingStatus.Delisted
                : ListingStatus.Unknown;
            if (Symbol.TryParse(f[0], out var symbol, out _))
            {
                result.Add(new Listing(symbol, name, f[^5], f[^4], status));
            }
        }

        return result;
    }

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(ch);
            }
        }

        fields.Add(current.ToString());
        return fields;
    }

    private Uri Query(params (string Name, string? Value)[] query)
    {
        // Accept a base URL given with or without the /query path.
        var path = Options.BaseUrl.AbsolutePath.TrimEnd('/').EndsWith("/query", StringComparison.Ordinal) ? "" : "/query";
        return BuildUri(path, [.. query, ("apikey", _options.ApiKey)]);
    }

    private void EnsureKey()
    {
        if (string.IsNullOrEmpty(_options.ApiKey))
        {
            throw Unauthorized("no key configured");
        }
    }
}
