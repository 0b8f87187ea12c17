using System.Globalization;
using System.Text;
using System.Text.Json;
using AiTrader.Core.Brokers;
using AiTrader.Core.Domain;
using AiTrader.MarketData;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace AiTrader.Brokers.Alpaca;

/// <summary>Alpaca Trading API v2 broker: account, orders (incl. bracket), positions, clock, calendar and the trade_updates stream.</summary>
/// <remarks>Submitting is idempotent on the client order id: when Alpaca answers 422 "client_order_id must be unique"
/// (a retry after a lost response, or a restart) the existing order is fetched and returned instead of failing.</remarks>
public sealed class AlpacaTradingClient : IBroker, IDisposable
{
    private const string DuplicateIdMessage = "client_order_id must be unique";
    private const int PdtCode = 40310100;

    private readonly HttpClient _http;
    private readonly AlpacaTradingOptions _options;
    private readonly ILogger _logger;
    private readonly KeyRedactor _redactor;
    private readonly VendorThrottle _throttle;
    private readonly ResiliencePipeline _pipeline;
    private readonly Func<System.Net.WebSockets.ClientWebSocket> _socketFactory;
    private readonly bool _ownsThrottle;

    /// <param name="socketFactory">Creates the stream's socket; tests may configure it, production leaves it null.</param>
    public AlpacaTradingClient(
        HttpClient http,
        AlpacaTradingOptions options,
        ILogger<AlpacaTradingClient>? logger = null,
        VendorThrottle? throttle = null,
        Func<System.Net.WebSockets.ClientWebSocket>? socketFactory = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        options.EnsureEnvironmentAllowed();
        _http = http;
        _options = options;
        _logger = logger ?? NullLogger<AlpacaTradingClient>.Instance;
        _redactor = new KeyRedactor(options.Secrets());
        _ownsThrottle = throttle is null;
        _throttle = throttle ?? new VendorThrottle(options.BrokerName, options.RateLimit);
        _pipeline = BuildPipeline(options.Retry);
        _socketFactory = socketFactory ?? (() => new System.Net.WebSockets.ClientWebSocket());
    }

    public string Name => _options.BrokerName;

    public AlpacaTradingOptions Options => _options;

    public async Task<BrokerAccount> GetAccountAsync(CancellationToken cancellationToken = default) =>
        await CallAsync(HttpMethod.Get, "/v2/account", null, AlpacaTradingJson.ParseAccount, cancellationToken).ConfigureAwait(false);

    public async Task<BrokerOrder> SubmitOrderAsync(BrokerOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            request.Validate();
        }
        catch (ArgumentException ex)
        {
            throw Fail(BrokerErrorKind.Rejected, $"order {request.ClientOrderId} not sent: {ex.Message}; fix: correct the order request");
        }

        var body = AlpacaTradingJson.OrderRequestBody(request);
        try
        {
            // Retries re-send the same client_order_id, so a retried POST whose first attempt did land comes back
            // as a duplicate below rather than as a second order.
            var order = await CallAsync(HttpMethod.Post, "/v2/orders", body, AlpacaTradingJson.ParseOrder, cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("{Broker}: submitted {ClientOrderId} {Side} {Quantity} {Symbol} as {OrderId} ({Status})",
                Name, order.ClientOrderId, order.Side, order.Quantity, order.Symbol, order.Id, order.Status);
            return order;
        }
        catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.DuplicateClientOrderId)
        {
            var existing = await FindOrderByClientOrderIdAsync(request.ClientOrderId, cancellationToken).ConfigureAwait(false)
                ?? throw Fail(BrokerErrorKind.DuplicateClientOrderId,
                    $"client order id {request.ClientOrderId} is reported as used but no order carries it; fix: use a new client order id", 422);
            if (existing.Symbol != request.Symbol || existing.Side != request.Side || existing.Quantity != request.Quantity)
            {
                // Same id, different order: returning it would silently trade something else than asked.
                throw Fail(BrokerErrorKind.DuplicateClientOrderId,
                    $"client order id {request.ClientOrderId} already belongs to {existing.Side} {existing.Quantity} {existing.Symbol} (order {existing.Id}); fix: give each distinct order its own client order id",
                    422);
            }

            _logger.LogInformation("{Broker}: {ClientOrderId} already submitted as {OrderId} ({Status}); returning it",
                Name, request.ClientOrderId, existing.Id, existing.Status);
            return existing;
        }
    }

    public async Task<IReadOnlyList<BrokerOrder>> GetOrdersAsync(
        OrderStatusFilter status = OrderStatusFilter.Open, int limit = 500, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var path = $"/v2/orders?status={AlpacaTradingJson.StatusFilterName(status)}&limit={Math.Min(limit, 500).ToString(CultureInfo.InvariantCulture)}&direction=desc&nested=true";
        return await CallAsync(HttpMethod.Get, path, null, e => ParseArray(e, AlpacaTradingJson.ParseOrder), cancellationToken).ConfigureAwait(false);
    }

    public async Task<BrokerOrder> GetOrderAsync(string orderId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        return await CallAsync(HttpMethod.Get, $"/v2/orders/{Uri.EscapeDataString(orderId)}?nested=true", null,
            AlpacaTradingJson.ParseOrder, cancellationToken).ConfigureAwait(false);
    }

    public async Task<BrokerOrder?> FindOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientOrderId);
        try
        {
            return await CallAsync(HttpMethod.Get, $"/v2/orders:by_client_order_id?client_order_id={Uri.EscapeDataString(clientOrderId)}",
                null, AlpacaTradingJson.ParseOrder, cancellationToken).ConfigureAwait(false);
        }
        catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.NotFound)
        {
            return null;
        }
    }

    public async Task CancelOrderAsync(string orderId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        try
        {
            await CallAsync(HttpMethod.Delete, $"/v2/orders/{Uri.EscapeDataString(orderId)}", null, _ => true, cancellationToken, allowEmpty: true)
                .ConfigureAwait(false);
        }
        catch (BrokerException ex) when (ex.HttpStatus == 422)
        {
            throw Fail(BrokerErrorKind.NotCancelable, $"order {orderId} cannot be cancelled ({StripName(ex.Message)}); fix: re-read the order, it is probably already final", 422);
        }
    }

    /// <summary>Replaces an open order (PATCH /v2/orders/{id}): Alpaca answers with the new order, which has a new id; the
    /// old one ends as <c>replaced</c>. The platform uses it to trail a protective stop.</summary>
    public async Task<BrokerOrder> ReplaceOrderAsync(string orderId, BrokerOrderReplacement replacement, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        ArgumentNullException.ThrowIfNull(replacement);
        if (replacement is { Quantity: null, LimitPrice: null, StopPrice: null })
        {
            throw Fail(BrokerErrorKind.Rejected, $"order {orderId} not replaced: nothing to change; fix: give a quantity or a price");
        }

        if (replacement.Quantity <= 0 || replacement.LimitPrice <= 0 || replacement.StopPrice <= 0)
        {
            throw Fail(BrokerErrorKind.Rejected, $"order {orderId} not replaced: quantities and prices must be positive");
        }

        var order = await CallAsync(HttpMethod.Patch, $"/v2/orders/{Uri.EscapeDataString(orderId)}", AlpacaTradingJson.ReplaceRequestBody(replacement),
            AlpacaTradingJson.ParseOrder, cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("{Broker}: replaced {OldId} by {OrderId} (stop {Stop})", Name, orderId, order.Id, order.StopPrice);
        return order;
    }

    public async Task<IReadOnlyList<BrokerPosition>> GetPositionsAsync(CancellationToken cancellationToken = default) =>
        await CallAsync(HttpMethod.Get, "/v2/positions", null, e => ParseArray(e, AlpacaTradingJson.ParsePosition), cancellationToken)
            .ConfigureAwait(false);

    public async Task<BrokerOrder> ClosePositionAsync(Symbol symbol, CancellationToken cancellationToken = default) =>
        await CallAsync(HttpMethod.Delete, $"/v2/positions/{Uri.EscapeDataString(symbol.Value)}", null, AlpacaTradingJson.ParseOrder, cancellationToken)
            .ConfigureAwait(false);

    public async Task<BrokerClock> GetClockAsync(CancellationToken cancellationToken = default) =>
        await CallAsync(HttpMethod.Get, "/v2/clock", null, AlpacaTradingJson.ParseClock, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<BrokerCalendarDay>> GetCalendarAsync(DateOnly start, DateOnly end, CancellationToken cancellationToken = default)
    {
        if (end < start)
        {
            throw new ArgumentException($"Calendar end {end:yyyy-MM-dd} is before start {start:yyyy-MM-dd}.", nameof(end));
        }

        var path = $"/v2/calendar?start={start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}&end={end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
        return await CallAsync(HttpMethod.Get, path, null, e => ParseArray(e, AlpacaTradingJson.ParseCalendarDay), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Order events from the trade_updates stream. A stream that drops after it was listening is reconnected
    /// (backoff from <see cref="AlpacaTradingOptions.StreamInitialBackoff"/>, re-authenticated, re-subscribed), then the
    /// orders are reconciled over REST: what changed while the socket was down is yielded as <c>reconciled</c> events
    /// (fills for the filled quantity gained, at the price that explains the new average; cancels, expiries, rejects),
    /// and stream events the reconciliation already covered are dropped. A normal close ends the sequence.</summary>
    public async IAsyncEnumerable<TradeUpdate> StreamTradeUpdatesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        EnsureKeys();
        var known = new Dictionary<string, BrokerOrder>(StringComparer.Ordinal);
        // Orders that changed after the stream first listened belong to this stream's story (a small skew allowance).
        DateTime? since = null;
        var failures = 0;
        var reconnecting = false;
        while (true)
        {
            var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var stream = new AlpacaTradeUpdateStream(_options, _socketFactory, _redactor, _logger).ReadAsync(cancellationToken, listening);
            await using var events = stream.GetAsyncEnumerator(cancellationToken);
            var next = events.MoveNextAsync().AsTask();
            BrokerException? dropped = null;
            try
            {
                await Task.WhenAny(listening.Task, next).ConfigureAwait(false);
                if (!listening.Task.IsCompleted)
                {
                    await next.ConfigureAwait(false); // the handshake failed: surface its error (retried below when reconnecting)
                }
            }
            catch (BrokerException ex) when (reconnecting && ex.Kind is BrokerErrorKind.ServerError or BrokerErrorKind.Timeout && !cancellationToken.IsCancellationRequested)
            {
                dropped = ex;
            }

            if (dropped is null)
            {
                since ??= _options.Clock.GetUtcNow().UtcDateTime.AddSeconds(-1);
                if (reconnecting)
                {
                    failures = 0;
                    _logger.LogInformation("{Broker}: trade_updates reconnected; reconciling orders", Name);
                    foreach (var update in await ReconcileAsync(known, since.Value, cancellationToken).ConfigureAwait(false))
                    {
                        yield return update;
                    }
                }

                while (true)
                {
                    bool more;
                    try
                    {
                        more = await next.ConfigureAwait(false);
                    }
                    catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.ServerError && !cancellationToken.IsCancellationRequested)
                    {
                        dropped = ex;
                        break;
                    }

                    if (!more)
                    {
                        yield break; // the server closed the stream normally
                    }

                    var update = events.Current;
                    if (Seen(known, update))
                    {
                        next = events.MoveNextAsync().AsTask();
                        continue;
                    }

                    known[update.Order.Id] = update.Order;
                    yield return update;
                    next = events.MoveNextAsync().AsTask();
                }
            }

            failures++;
            if (failures > _options.StreamMaxReconnects)
            {
                throw Fail(BrokerErrorKind.ServerError,
                    $"trade_updates stream gave up after {_options.StreamMaxReconnects} reconnect attempts; last error: {dropped!.Message}; fix: check the network and ALPACA_TRADING_STREAM_URL");
            }

            var wait = TimeSpan.FromTicks(Math.Min(_options.StreamMaxBackoff.Ticks, _options.StreamInitialBackoff.Ticks * (1L << Math.Min(failures - 1, 20))));
            _logger.LogWarning("{Broker}: trade_updates stream dropped ({Error}); reconnecting in {Wait}", Name, dropped!.Message, wait);
            await Task.Delay(wait, _options.Clock, cancellationToken).ConfigureAwait(false);
            reconnecting = true;
        }
    }

    /// <summary>True when <paramref name="update"/> tells nothing new: its order state was already yielded (e.g. by reconciliation).</summary>
    private static bool Seen(Dictionary<string, BrokerOrder> known, TradeUpdate update) =>
        known.TryGetValue(update.Order.Id, out var before)
        && update.Order.FilledQuantity <= before.FilledQuantity
        && update.Order.Status == before.Status;

    /// <summary>Events for what changed at the broker while the stream was down, from the orders' REST state.</summary>
    private async Task<List<TradeUpdate>> ReconcileAsync(Dictionary<string, BrokerOrder> known, DateTime since, CancellationToken cancellationToken)
    {
        var updates = new List<TradeUpdate>();
        var orders = await GetOrdersAsync(OrderStatusFilter.All, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var order in orders.Reverse())
        {
            known.TryGetValue(order.Id, out var before);
            if (before is null && (order.UpdatedAt ?? order.CreatedAt) < since)
            {
                continue; // history from before this stream listened
            }

            var at = order.UpdatedAt ?? order.CreatedAt;
            var filledBefore = before?.FilledQuantity ?? 0m;
            if (order.FilledQuantity > filledBefore)
            {
                var quantity = order.FilledQuantity - filledBefore;
                var value = (order.AverageFillPrice ?? 0m) * order.FilledQuantity - (before?.AverageFillPrice ?? 0m) * filledBefore;
                var filled = order.Status == BrokerOrderStatus.Filled;
                updates.Add(new TradeUpdate(filled ? TradeUpdateEvent.Fill : TradeUpdateEvent.PartialFill, "reconciled", order,
                    order.FilledAt ?? at, value / quantity, quantity, null,
                    "reconciled-" + order.FilledQuantity.ToString(CultureInfo.InvariantCulture)));
            }

            if (order.Status != before?.Status && order.Status is BrokerOrderStatus.Cancelled or BrokerOrderStatus.Expired or BrokerOrderStatus.Rejected)
            {
                var ev = order.Status switch
                {
                    BrokerOrderStatus.Cancelled => TradeUpdateEvent.Canceled,
                    BrokerOrderStatus.Expired => TradeUpdateEvent.Expired,
                    _ => TradeUpdateEvent.Rejected,
                };
                updates.Add(new TradeUpdate(ev, "reconciled", order, at));
            }

            known[order.Id] = order;
        }

        return updates;
    }

    public void Dispose()
    {
        // A shared throttle belongs to whoever passed it in (DI keeps one per process).
        if (_ownsThrottle)
        {
            _throttle.Dispose();
        }
    }

    private async Task<T> CallAsync<T>(HttpMethod method, string pathAndQuery, string? body, Func<JsonElement, T> parse,
        CancellationToken cancellationToken, bool allowEmpty = false)
    {
        EnsureKeys();
        var uri = new Uri(_options.BaseUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + pathAndQuery);
        return await _pipeline.ExecuteAsync(async token =>
        {
            var (status, text, retryAfter) = await SendAsync(method, uri, body, token).ConfigureAwait(false);
            if (status is < 200 or >= 300)
            {
                throw StatusError(method, pathAndQuery, status, text, retryAfter);
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                return allowEmpty ? parse(default) : throw Fail(BrokerErrorKind.MalformedResponse,
                    $"{method} {PathOnly(pathAndQuery)} returned an empty body (HTTP {status}); fix: retry later");
            }

            try
            {
                using var doc = JsonDocument.Parse(text);
                return parse(doc.RootElement);
            }
            catch (Exception ex) when (ex is JsonException or FormatException or ArgumentException or InvalidOperationException)
            {
                throw Fail(BrokerErrorKind.MalformedResponse,
                    $"{method} {PathOnly(pathAndQuery)} returned an unreadable body ({ex.Message}; starts '{Snippet(text, 60)}'); fix: check ALPACA_TRADING_BASE_URL or report the format change",
                    status);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(int Status, string Body, TimeSpan? RetryAfter)> SendAsync(HttpMethod method, Uri uri, string? body, CancellationToken cancellationToken)
    {
        IDisposable lease;
        try
        {
            lease = await _throttle.AcquireAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (VendorException ex)
        {
            throw Fail(BrokerErrorKind.RateLimited, ex.Message);
        }

        using (lease)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.AttemptTimeout);
            try
            {
                using var request = new HttpRequestMessage(method, uri);
                request.Headers.TryAddWithoutValidation("APCA-API-KEY-ID", _options.ApiKey);
                request.Headers.TryAddWithoutValidation("APCA-API-SECRET-KEY", _options.ApiSecret);
                if (body is not null)
                {
                    request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                }

                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                var text = await BoundedBody.ReadAsync(response, _options.MaxResponseBytes, timeout.Token).ConfigureAwait(false)
                    ?? throw Fail(BrokerErrorKind.MalformedResponse,
                        $"response from {uri.Host} exceeds {_options.MaxResponseBytes} bytes (MaxResponseBytes); fix: check ALPACA_TRADING_BASE_URL or raise MaxResponseBytes");
                return ((int)response.StatusCode, text, RetryAfter(response));
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw Fail(BrokerErrorKind.Timeout,
                    $"no response from {uri.Host} within {_options.AttemptTimeout.TotalSeconds:0.###}s; fix: retry later or raise AttemptTimeout");
            }
            catch (HttpRequestException ex)
            {
                // The inner exception is dropped on purpose: transport messages may carry request details.
                throw Fail(BrokerErrorKind.ServerError,
                    $"cannot reach {uri.Host}:{uri.Port} ({ex.HttpRequestError}); fix: check ALPACA_TRADING_BASE_URL and the network");
            }
        }
    }

    private BrokerException StatusError(HttpMethod method, string pathAndQuery, int status, string body, TimeSpan? retryAfter)
    {
        string? message = null;
        int? code = null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                if (doc.RootElement.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                {
                    message = m.GetString();
                }

                if (doc.RootElement.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var ci))
                {
                    code = ci;
                }
            }
        }
        catch (JsonException)
        {
            // Non-JSON error pages (proxies, outages) fall through to the raw body snippet.
        }

        var detail = Snippet(message ?? body, 200);
        var where = $"{method} {PathOnly(pathAndQuery)}";
        var lower = (message ?? body).ToLowerInvariant();
        return status switch
        {
            401 => Fail(BrokerErrorKind.Unauthorized,
                $"credentials rejected by {where} (HTTP 401: {detail}); fix: set valid {(_options.Live ? "live" : "paper")} keys in APCA_API_KEY_ID and APCA_API_SECRET_KEY (not retried)", status),
            403 when code == PdtCode || lower.Contains("pattern day trad", StringComparison.Ordinal) => Fail(BrokerErrorKind.PdtRejected,
                $"{where} denied by pattern-day-trader protection (HTTP 403: {detail}); fix: wait until a day trade rolls out of the 5-day window or hold overnight", status),
            403 when lower.Contains("buying power", StringComparison.Ordinal) => Fail(BrokerErrorKind.InsufficientBuyingPower,
                $"{where} refused for insufficient buying power (HTTP 403: {detail}); fix: reduce the order size", status),
            403 when lower.Contains("insufficient", StringComparison.Ordinal) => Fail(BrokerErrorKind.InsufficientQuantity,
                $"{where} refused for insufficient shares (HTTP 403: {detail}); fix: sell no more than the available position", status),
            403 => Fail(BrokerErrorKind.Rejected, $"{where} forbidden (HTTP 403: {detail}); fix: check the account's permissions", status),
            404 => Fail(BrokerErrorKind.NotFound, $"{where} not found (HTTP 404: {detail}); fix: check the order id or symbol", status),
            422 when lower.Contains(DuplicateIdMessage, StringComparison.Ordinal) => Fail(BrokerErrorKind.DuplicateClientOrderId,
                $"{where}: {detail} (HTTP 422); fix: reuse the existing order", status),
            429 => Fail(BrokerErrorKind.RateLimited,
                $"{where} rate limited (HTTP 429: {detail}){(retryAfter is { } ra ? $", retry after {ra.TotalSeconds:0.###}s" : "")}; fix: lower the request rate (Alpaca allows 200/min)",
                status, retryAfter),
            408 or 504 => Fail(BrokerErrorKind.Timeout, $"{where} timed out (HTTP {status}: {detail}); fix: retry later", status),
            >= 500 => Fail(BrokerErrorKind.ServerError, $"{where} server error (HTTP {status}: {detail}); fix: retry later", status),
            _ => Fail(BrokerErrorKind.Rejected, $"{where} rejected (HTTP {status}: {detail}); fix: correct the request", status),
        };
    }

    private void EnsureKeys()
    {
        if (string.IsNullOrEmpty(_options.ApiKey) || string.IsNullOrEmpty(_options.ApiSecret))
        {
            throw Fail(BrokerErrorKind.Configuration, "no API key configured; fix: set APCA_API_KEY_ID and APCA_API_SECRET_KEY");
        }
    }

    private BrokerException Fail(BrokerErrorKind kind, string text, int? status = null, TimeSpan? retryAfter = null) =>
        new(Name, kind, _redactor.Scrub($"{Name}: {text}"), status, retryAfter);

    private string Snippet(string text, int max) => KeyRedactor.OneLine(_redactor.Scrub(text), max);

    private string StripName(string message) => message.StartsWith(Name + ": ", StringComparison.Ordinal) ? message[(Name.Length + 2)..] : message;

    private static string PathOnly(string pathAndQuery) => pathAndQuery.Split('?')[0];

    private static IReadOnlyList<T> ParseArray<T>(JsonElement e, Func<JsonElement, T> item) =>
        e.ValueKind switch
        {
            JsonValueKind.Array => e.EnumerateArray().Select(item).ToList(),
            JsonValueKind.Null => [],
            _ => throw new FormatException($"expected a JSON array, got {e.ValueKind}"),
        };

    /// <summary>Retry-After when sent; otherwise Alpaca's X-Ratelimit-Reset (epoch seconds) turned into a wait.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (RetryPipelines.ReadRetryAfter(response.Headers.RetryAfter, _options.Clock) is { } retryAfter)
        {
            return retryAfter;
        }

        if (response.Headers.TryGetValues("X-Ratelimit-Reset", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var epoch))
        {
            var wait = DateTimeOffset.FromUnixTimeSeconds(epoch) - _options.Clock.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : null;
        }

        return null;
    }

    private ResiliencePipeline BuildPipeline(RetryOptions retry) =>
        // Rejections, 401, 403 and 404 will not heal by waiting; a Retry-After beyond the budget is surfaced.
        RetryPipelines.Build<BrokerException>(retry, e => e.IsTransient, e => e.RetryAfter, (attempt, error, delay) =>
            _logger.LogWarning("{Broker}: attempt {Attempt} failed ({Error}); retrying in {Delay}", Name, attempt, error, delay));
}
