using System.Globalization;
using System.Text;
using System.Text.Json;
using AiTrader.Core.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace AiTrader.MarketData;

/// <summary>A raw vendor HTTP answer, read fully so error bodies can be inspected.</summary>
public sealed record VendorResponse(int StatusCode, string? MediaType, string Body, TimeSpan? RetryAfter)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;
}

/// <summary>Shared plumbing for vendor clients: rate limit, per-attempt timeout, bounded retries, key-free errors.</summary>
public abstract class VendorClientBase : IVendorClient
{
    private readonly VendorThrottle _throttle;
    private readonly ResiliencePipeline _pipeline;

    protected VendorClientBase(string name, HttpClient http, VendorOptions options, VendorThrottle? throttle, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        Name = name;
        Http = http;
        Options = options;
        Logger = logger ?? NullLogger.Instance;
        Redactor = new KeyRedactor(options.Secrets());
        _throttle = throttle ?? new VendorThrottle(name, options.RateLimit);
        _pipeline = BuildPipeline(options.Retry);
    }

    public string Name { get; }

    public abstract VendorCapabilities Capabilities { get; }

    protected HttpClient Http { get; }

    protected VendorOptions Options { get; }

    protected ILogger Logger { get; }

    protected KeyRedactor Redactor { get; }

    /// <summary>What to do when the vendor rejects the credentials; names the environment variables.</summary>
    protected abstract string CredentialsFix { get; }

    /// <summary>Bars in the request's range, within <see cref="VendorOptions.TotalTimeout"/>; every failure, including an
    /// answer the parser cannot read, is a <see cref="VendorException"/>.</summary>
    public async Task<VendorBars> GetBarsAsync(VendorBarRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var total = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        total.CancelAfter(Options.TotalTimeout);
        try
        {
            return await FetchBarsAsync(request, total.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Fail(VendorErrorKind.Timeout,
                $"{request.Symbol} {request.Timeframe} bars took longer than the {Options.TotalTimeout.TotalSeconds:0.###}s budget of one fetch; fix: shorten the range or raise TotalTimeout");
        }
        catch (Exception ex) when (IsParseFault(ex))
        {
            throw Malformed(ex);
        }
    }

    /// <summary>The vendor-specific fetch behind <see cref="GetBarsAsync"/>; the request is already checked against the capabilities.</summary>
    protected abstract Task<VendorBars> FetchBarsAsync(VendorBarRequest request, CancellationToken cancellationToken);

    public abstract Task<Quote> GetLatestQuoteAsync(Symbol symbol, CancellationToken cancellationToken = default);

    public abstract Task<IReadOnlyList<Listing>> GetListingsAsync(CancellationToken cancellationToken = default);

    /// <summary>Builds a one-line, key-free exception prefixed with the vendor name.</summary>
    protected VendorException Fail(VendorErrorKind kind, string text, TimeSpan? retryAfter = null, Exception? inner = null)
    {
        VendorMetrics.Error(Name, kind);
        return new(Name, kind, Redactor.Scrub($"{Name}: {text}"), retryAfter, inner);
    }

    protected VendorException Unsupported(string what, string fix) =>
        Fail(VendorErrorKind.Unsupported, $"{what}; fix: {fix}");

    protected void EnsureSupported(VendorBarRequest request)
    {
        if (!Capabilities.Timeframes.Contains(request.Timeframe))
        {
            throw Unsupported($"{request.Timeframe} bars are not offered",
                $"use one of {string.Join(", ", Capabilities.Timeframes)} or another vendor");
        }

        if (!Capabilities.Adjustments.Contains(request.Adjustment))
        {
            throw Unsupported($"{request.Adjustment} price adjustment is not offered",
                $"request {string.Join(" or ", Capabilities.Adjustments)} or use another vendor");
        }
    }

    /// <summary>Runs one logical call (possibly several HTTP requests) with bounded retries on transient failures. Whatever
    /// the parser throws on a hostile payload (a null row, a number where an object belongs) becomes MalformedResponse,
    /// which is never retried, so the chain moves on instead of crashing.</summary>
    protected async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken) =>
        await _pipeline.ExecuteAsync(async token =>
        {
            try
            {
                return await attempt(token).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsParseFault(ex))
            {
                throw Malformed(ex);
            }
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>Exceptions that mean "this answer cannot be read" rather than "the call failed" or "stop".</summary>
    private static bool IsParseFault(Exception ex) =>
        ex is not VendorException and not OperationCanceledException and not OutOfMemoryException;

    private VendorException Malformed(Exception ex) =>
        Fail(VendorErrorKind.MalformedResponse,
            $"unreadable answer ({ex.GetType().Name}: {Snippet(ex.Message, 120)}); fix: report the format change or use another vendor");

    /// <summary>One GET under the vendor's rate limit and attempt timeout. Transport failures become typed errors.</summary>
    protected async Task<VendorResponse> GetAsync(Uri uri, Action<HttpRequestMessage>? configure, CancellationToken cancellationToken)
    {
        using var lease = await _throttle.AcquireAsync(cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.AttemptTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            configure?.Invoke(request);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token)
                .ConfigureAwait(false);
            var max = Options.MaxResponseBytes;
            var body = await BoundedBody.ReadAsync(response, max, timeout.Token).ConfigureAwait(false) ?? throw TooLarge(uri, max);
            VendorMetrics.Request(Name, (int)response.StatusCode, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            return new VendorResponse((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType,
                body, RetryPipelines.ReadRetryAfter(response.Headers.RetryAfter));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Fail(VendorErrorKind.Timeout,
                $"no response from {uri.Host} within {Options.AttemptTimeout.TotalSeconds:0.###}s; fix: retry later or raise AttemptTimeout");
        }
        catch (HttpRequestException ex)
        {
            // The inner exception is not attached: transport messages can echo the request URI (and its key).
            throw Fail(VendorErrorKind.ServerError,
                $"cannot reach {uri.Host}:{uri.Port} ({ex.HttpRequestError}); fix: check the base URL setting and the network");
        }
    }

    private VendorException TooLarge(Uri uri, long max) =>
        Fail(VendorErrorKind.MalformedResponse,
            $"response from {uri.Host} exceeds {max} bytes (MaxResponseBytes); fix: shorten the range or raise MaxResponseBytes");

    /// <summary>Maps a non-2xx status to a typed error; <paramref name="vendorMessage"/> is the vendor's own error text.</summary>
    protected VendorException StatusError(VendorResponse response, string? vendorMessage)
    {
        var detail = Snippet(string.IsNullOrWhiteSpace(vendorMessage) ? response.Body : vendorMessage);
        var code = response.StatusCode;
        return code switch
        {
            429 => RateLimited($"HTTP 429: {detail}", response.RetryAfter),
            401 or 403 => Unauthorized($"HTTP {code}: {detail}"),
            404 => Fail(VendorErrorKind.NotFound, $"not found (HTTP 404: {detail}); fix: check the symbol and the date range"),
            408 or 504 => Fail(VendorErrorKind.Timeout, $"vendor timed out (HTTP {code}: {detail}); fix: retry later or shorten the range"),
            >= 500 => Fail(VendorErrorKind.ServerError, $"server error (HTTP {code}: {detail}); fix: retry later or use another vendor"),
            _ => Fail(VendorErrorKind.BadRequest, $"request rejected (HTTP {code}: {detail}); fix: check symbol, interval and dates"),
        };
    }

    protected VendorException RateLimited(string detail, TimeSpan? retryAfter = null) =>
        Fail(VendorErrorKind.RateLimited,
            $"rate limit reached ({Snippet(detail)}){(retryAfter is { } ra ? $", retry after {ra.TotalSeconds:0}s" : "")}; fix: wait and retry, lower the request rate or upgrade the plan",
            retryAfter);

    protected VendorException Unauthorized(string detail) =>
        Fail(VendorErrorKind.Unauthorized, $"credentials rejected ({Snippet(detail)}); fix: {CredentialsFix} (not retried)");

    /// <summary>Parses a JSON body, rejecting HTML pages and truncated documents with a typed error.</summary>
    protected JsonDocument ParseJson(VendorResponse response)
    {
        var body = response.Body;
        var first = FirstNonSpace(body);
        if (first == '\0')
        {
            throw Fail(VendorErrorKind.MalformedResponse, $"empty body (HTTP {response.StatusCode}); fix: retry later or use another vendor");
        }

        if (first == '<' || (response.MediaType?.Contains("html", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            // Yahoo's outage page ("Will be right back") is a server problem, not a format change.
            if (body.Contains("Will be right back", StringComparison.OrdinalIgnoreCase))
            {
                throw Fail(VendorErrorKind.ServerError, "outage page returned (\"Will be right back\"); fix: retry later or use another vendor");
            }

            throw Fail(VendorErrorKind.MalformedResponse,
                $"expected JSON but got {response.MediaType ?? "no content type"} starting '{Snippet(body, 40)}'; fix: check the base URL setting");
        }

        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw Fail(VendorErrorKind.MalformedResponse,
                $"invalid JSON ({ex.Message}); fix: retry later, the response was probably cut off", inner: ex);
        }
    }

    protected Uri BuildUri(string path, params (string Name, string? Value)[] query)
    {
        var sb = new StringBuilder(Options.BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/'));
        sb.Append(path);
        var sep = '?';
        foreach (var (n, v) in query)
        {
            if (v is null)
            {
                continue;
            }

            sb.Append(sep).Append(Uri.EscapeDataString(n)).Append('=').Append(Uri.EscapeDataString(v));
            sep = '&';
        }

        return new Uri(sb.ToString());
    }

    protected decimal ParseDecimal(JsonElement e, string field)
    {
        if (TryDecimal(e, out var d))
        {
            return d;
        }

        throw Fail(VendorErrorKind.MalformedResponse, $"field '{field}' is not a number ({(e.ValueKind == JsonValueKind.Undefined ? "missing" : Snippet(e.GetRawText(), 40))}); fix: report the format change");
    }

    protected decimal ParseDecimal(string? text, string field)
    {
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }

        throw Fail(VendorErrorKind.MalformedResponse, $"field '{field}' is not a number ('{Snippet(text ?? "", 40)}'); fix: report the format change");
    }

    /// <summary>Reads a number sent either as a JSON number or as a string (AV, Twelve Data); null/absent → false.</summary>
    protected static bool TryDecimal(JsonElement e, out decimal value)
    {
        value = 0;
        return e.ValueKind switch
        {
            JsonValueKind.Number => e.TryGetDecimal(out value) || TryDouble(e, out value),
            JsonValueKind.String => decimal.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    protected static decimal? OptionalDecimal(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var e) && TryDecimal(e, out var d) ? d : null;

    protected static string? OptionalString(JsonElement parent, string name) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String
            ? e.GetString()
            : null;

    /// <summary>Scrubs secrets first, then shortens, so truncation can never leave part of a key behind.</summary>
    protected string Snippet(string text, int max = 160) => KeyRedactor.OneLine(Redactor.Scrub(text), max);

    /// <summary>The zone a payload names; an unknown, odd-looking or non-string zone is MalformedResponse. Only IANA-shaped
    /// ids are looked up: the id becomes a file path under the tz database, so "../" must never reach it.</summary>
    protected TimeZoneInfo FindZone(JsonElement zone, string field)
    {
        if (zone.ValueKind != JsonValueKind.String)
        {
            throw Fail(VendorErrorKind.MalformedResponse, $"'{field}' is not a time zone name ({Snippet(zone.GetRawText(), 40)}); fix: report the format change");
        }

        return FindZone(zone.GetString() ?? "", field);
    }

    /// <summary>The zone named by <paramref name="parent"/>'s property <paramref name="name"/> (see
    /// <see cref="FindZone(JsonElement, string)"/>), or New York when <paramref name="parent"/> is not an object or the
    /// property is missing or null.</summary>
    protected TimeZoneInfo ZoneOrNewYork(JsonElement parent, string name, string field) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var zone) && zone.ValueKind != JsonValueKind.Null
            ? FindZone(zone, field)
            : Core.Sessions.ExchangeTime.NewYork;

    /// <inheritdoc cref="FindZone(JsonElement, string)"/>
    protected TimeZoneInfo FindZone(string id, string field)
    {
        // Old tzdata link names (US/Eastern) are missing on some slim images.
        if (id is "US/Eastern" or "EST5EDT" or "America/New_York")
        {
            return Core.Sessions.ExchangeTime.NewYork;
        }

        if (id.Length is > 0 and <= 64 && id.Split('/').All(part => part.Length > 0 && !part.StartsWith('.')
                && part.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '+')))
        {
            try
            {
                return TimeZoneInfo.FindSystemTimeZoneById(id);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                // Reported below as an unknown zone.
            }
        }

        throw Fail(VendorErrorKind.MalformedResponse, $"'{field}' names an unknown time zone '{Snippet(id, 40)}'; fix: report the format change");
    }

    private static bool TryDouble(JsonElement e, out decimal value)
    {
        value = 0;
        if (!e.TryGetDouble(out var d) || double.IsNaN(d) || double.IsInfinity(d))
        {
            return false;
        }

        try
        {
            value = (decimal)d;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    private static char FirstNonSpace(string s)
    {
        foreach (var c in s)
        {
            if (!char.IsWhiteSpace(c) && c != '\uFEFF')
            {
                return c;
            }
        }

        return '\0';
    }

    private ResiliencePipeline BuildPipeline(RetryOptions retry) =>
        // 401/403, 404, bad requests, malformed bodies and Unsupported are not retried: they will not heal.
        RetryPipelines.Build<VendorException>(retry, e => e.IsTransient, e => e.RetryAfter, (attempt, error, delay) =>
            Logger.LogWarning("{Vendor}: attempt {Attempt} failed ({Error}); retrying in {Delay}", Name, attempt, error, delay));
}
