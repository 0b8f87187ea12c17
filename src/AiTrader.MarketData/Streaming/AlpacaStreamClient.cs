using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AiTrader.Core.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiTrader.MarketData.Streaming;

/// <summary>One connection to the Alpaca real-time stock stream: connect, authenticate, subscribe, then read bars, trades and quotes.</summary>
/// <remarks>Speaks the JSON protocol (every server frame is an array of objects typed by <c>T</c>). Reconnecting is the
/// caller's job (<see cref="StreamingManager"/>); <see cref="ConnectAsync"/> may be called again after a failure.</remarks>
public sealed class AlpacaStreamClient : IAsyncDisposable
{
    private const string Prefix = "alpaca stream";
    private readonly AlpacaStreamOptions _options;
    private readonly KeyRedactor _redactor;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Queue<StreamPayload> _pending = new();
    private readonly BoundedWebSocketReader _reader;
    private ClientWebSocket? _socket;

    public AlpacaStreamClient(AlpacaStreamOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _redactor = new KeyRedactor(options.Secrets());
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _reader = new BoundedWebSocketReader(options.MaxMessageBytes);
    }

    /// <summary>Opens the socket, waits for <c>connected</c>, authenticates, subscribes and waits for the subscription echo.</summary>
    /// <exception cref="AlpacaStreamException">Handshake failed; <see cref="AlpacaStreamException.IsRetryable"/> is false for bad keys and plan limits.</exception>
    public async Task ConnectAsync(StreamSubscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (!_options.HasKeys)
        {
            throw new AlpacaStreamException(
                $"{Prefix}: no key configured; fix: set APCA_API_KEY_ID and APCA_API_SECRET_KEY", null, isRetryable: false);
        }

        await CloseAsync().ConfigureAwait(false);
        _pending.Clear();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.HandshakeTimeout);
        var token = deadline.Token;
        var url = _options.Url;
        try
        {
            var socket = new ClientWebSocket();
            socket.Options.KeepAliveInterval = _options.KeepAliveInterval;
            _socket = socket;
            await socket.ConnectAsync(url, token).ConfigureAwait(false);
            await ExpectAsync(m => m is { Type: "success", Msg: "connected" }, "connected", token).ConfigureAwait(false);
            await SendAsync(new Dictionary<string, object?>
            {
                ["action"] = "auth",
                ["key"] = _options.ApiKey,
                ["secret"] = _options.ApiSecret,
            }, token).ConfigureAwait(false);
            await ExpectAsync(m => m is { Type: "success", Msg: "authenticated" }, "authenticated", token).ConfigureAwait(false);

            var subscribe = new Dictionary<string, object?> { ["action"] = "subscribe" };
            AddChannel(subscribe, "bars", subscription.Bars);
            AddChannel(subscribe, "trades", subscription.Trades);
            AddChannel(subscribe, "quotes", subscription.Quotes);
            await SendAsync(subscribe, token).ConfigureAwait(false);
            await ExpectAsync(m => m.Type == "subscription", "the subscription echo", token).ConfigureAwait(false);
            _logger.LogInformation("{Prefix}: connected to {Host}, subscribed bars={Bars} trades={Trades} quotes={Quotes}",
                Prefix, url.Host, subscription.Bars.Count, subscription.Trades?.Count ?? 0, subscription.Quotes?.Count ?? 0);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await CloseAsync().ConfigureAwait(false);
            throw new AlpacaStreamException(
                $"{Prefix}: handshake with {url.Host}:{url.Port} did not finish within {_options.HandshakeTimeout.TotalSeconds:0.###}s; fix: check ALPACA_STREAM_URL and the network",
                null, isRetryable: true);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or HttpRequestException)
        {
            await CloseAsync().ConfigureAwait(false);
            // The inner exception is not attached: transport messages may echo the request line.
            throw new AlpacaStreamException(
                $"{Prefix}: cannot connect to {url.Host}:{url.Port} ({Describe(ex)}); fix: check ALPACA_STREAM_URL and the network",
                null, isRetryable: true);
        }
        catch (AlpacaStreamException)
        {
            await CloseAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Data messages in arrival order until the connection ends, which is always an <see cref="AlpacaStreamException"/>
    /// (retryable for a drop or <see cref="AlpacaStreamOptions.IdleTimeout"/> of silence).</summary>
    public async IAsyncEnumerable<StreamPayload> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (_pending.TryDequeue(out var early))
        {
            yield return early;
        }

        while (true)
        {
            var messages = await ReceiveDataAsync(cancellationToken).ConfigureAwait(false);
            foreach (var m in messages)
            {
                if (m.Payload is { } p)
                {
                    yield return p;
                }
            }
        }
    }

    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    private async Task<List<Message>> ReceiveDataAsync(CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(_options.IdleTimeout);
        try
        {
            return await ReadFrameAsync(idle.Token).ConfigureAwait(false)
                ?? throw new AlpacaStreamException($"{Prefix}: server closed the connection ({CloseReason()}); reconnecting may help",
                    null, isRetryable: true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AlpacaStreamException(
                $"{Prefix}: no message for {_options.IdleTimeout.TotalSeconds:0.###}s; treating the connection as dead", null, isRetryable: true);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException)
        {
            throw new AlpacaStreamException($"{Prefix}: connection lost ({Describe(ex)})", null, isRetryable: true);
        }
    }

    private async Task ExpectAsync(Func<Message, bool> done, string what, CancellationToken cancellationToken)
    {
        while (true)
        {
            var messages = await ReadFrameAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new AlpacaStreamException(
                    $"{Prefix}: server closed the connection while waiting for {what} ({CloseReason()})", null, isRetryable: true);
            var found = false;
            foreach (var m in messages)
            {
                if (m.Payload is { } p)
                {
                    // Data can share a frame with (or precede) the subscription echo: keep it for ReadAsync.
                    _pending.Enqueue(p);
                }
                else if (done(m))
                {
                    found = true;
                }
            }

            if (found)
            {
                return;
            }
        }
    }

    /// <summary>Reads one whole text frame and parses it; null when the server closed the socket.</summary>
    private async Task<List<Message>?> ReadFrameAsync(CancellationToken cancellationToken)
    {
        var socket = _socket ?? throw new InvalidOperationException("ConnectAsync first.");
        ReadOnlyMemory<byte>? message;
        try
        {
            message = await _reader.ReceiveAsync(socket, cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketMessageTooLargeException ex)
        {
            throw new AlpacaStreamException(
                $"{Prefix}: a message exceeds {ex.Limit} bytes (MaxMessageBytes); dropped the connection unread, reconnecting", null, isRetryable: true);
        }

        return message is { } m ? Parse(m.Span) : null;
    }

    private List<Message> Parse(ReadOnlySpan<byte> frame)
    {
        var received = _time.GetUtcNow().UtcDateTime;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(frame.ToArray());
        }
        catch (JsonException)
        {
            throw new AlpacaStreamException(
                $"{Prefix}: frame is not JSON ('{Snippet(Encoding.UTF8.GetString(frame))}'); fix: check ALPACA_STREAM_URL points at the data stream",
                null, isRetryable: true);
        }

        using (doc)
        {
            var root = doc.RootElement;
            // Every frame is documented as an array; tolerate a bare object all the same.
            var items = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : [root];
            var messages = new List<Message>(items.Count);
            foreach (var e in items)
            {
                if (e.ValueKind != JsonValueKind.Object || Str(e, "T") is not { } type)
                {
                    continue;
                }

                switch (type)
                {
                    case "success":
                        messages.Add(new Message(type, Str(e, "msg"), null));
                        break;
                    case "subscription":
                        messages.Add(new Message(type, null, null));
                        break;
                    case "error":
                        var code = e.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : (int?)null;
                        var text = Str(e, "msg") ?? "unknown error";
                        if (code == 403)
                        {
                            // "already authenticated" is harmless: the session is usable.
                            messages.Add(new Message("success", "authenticated", null));
                            break;
                        }

                        throw MapError(code, text);
                    case "b":
                        messages.Add(new Message(type, null, ParseBar(e, received)));
                        break;
                    case "t":
                        messages.Add(new Message(type, null, ParseTrade(e, received)));
                        break;
                    case "q":
                        messages.Add(new Message(type, null, ParseQuote(e, received)));
                        break;
                    default:
                        // u (corrected bar), d (daily), s, l, c, x: not subscribed or not used; a corrected
                        // minute would re-deliver a minute already handed out.
                        break;
                }
            }

            return messages;
        }
    }

    private AlpacaStreamException MapError(int? code, string text)
    {
        var (retryable, fix) = code switch
        {
            402 => (false, "set a valid APCA_API_KEY_ID and APCA_API_SECRET_KEY"),
            404 => (true, "authenticate within 10 s of connecting"),
            405 => (false, "subscribe fewer symbols (IEX plans allow 30 for trades and quotes)"),
            406 => (true, "close other stream connections using these keys (one per account on most plans)"),
            407 => (true, "consume payloads faster"),
            408 => (false, "enable v2 market data for the account"),
            409 => (false, "use the iex feed (ALPACA_STREAM_URL=wss://stream.data.alpaca.markets/v2/iex) or upgrade the data plan"),
            400 or 401 => (false, "report this protocol fault"),
            >= 500 => (true, "retry later"),
            _ => (false, "see the Alpaca stream error codes"),
        };
        var codeText = code?.ToString(CultureInfo.InvariantCulture) ?? "no code";
        return new AlpacaStreamException(_redactor.Scrub($"{Prefix}: {text} ({codeText}); fix: {fix}"), code, retryable);
    }

    private StreamPayload ParseBar(JsonElement e, DateTime received)
    {
        var symbol = Sym(e);
        long? n = e.TryGetProperty("n", out var ne) && ne.ValueKind == JsonValueKind.Number && ne.TryGetInt64(out var nv) ? nv : null;
        var bar = new Bar(Time(e), Dec(e, "o"), Dec(e, "h"), Dec(e, "l"), Dec(e, "c"), Dec(e, "v"), n, OptDec(e, "vw"));
        return StreamPayload.ForBar(symbol, bar, StreamSources.Stream, received);
    }

    private StreamPayload ParseTrade(JsonElement e, DateTime received)
    {
        long? id = e.TryGetProperty("i", out var ie) && ie.ValueKind == JsonValueKind.Number && ie.TryGetInt64(out var iv) ? iv : null;
        var trade = new StreamTrade(Time(e), Dec(e, "p"), Dec(e, "s"), Str(e, "x"), id, Conditions(e), Str(e, "z"));
        return new StreamPayload(Sym(e), StreamPayloadKind.Trade, StreamSources.Stream, received, Trade: trade);
    }

    private StreamPayload ParseQuote(JsonElement e, DateTime received)
    {
        // Alpaca sends 0 for an empty side of the book.
        var bid = OptDec(e, "bp") is { } b and > 0 ? b : (decimal?)null;
        var ask = OptDec(e, "ap") is { } a and > 0 ? a : (decimal?)null;
        var quote = new StreamQuote(Time(e), bid, OptDec(e, "bs") ?? 0, Str(e, "bx"), ask, OptDec(e, "as") ?? 0, Str(e, "ax"),
            Conditions(e), Str(e, "z"));
        return new StreamPayload(Sym(e), StreamPayloadKind.Quote, StreamSources.Stream, received, Quote: quote);
    }

    private static Symbol Sym(JsonElement e) =>
        Str(e, "S") is { Length: > 0 } s
            ? Symbol.TryParse(s, out var symbol, out var error) ? symbol : throw Malformed($"a data message's 'S' is not a ticker ({error})")
            : throw Malformed("a data message has no 'S' symbol");

    private static DateTime Time(JsonElement e)
    {
        var text = Str(e, "t");
        if (text is null || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            throw Malformed($"field 't' is not an RFC-3339 time ('{text}')");
        }

        return t.UtcDateTime;
    }

    private static decimal Dec(JsonElement e, string name) =>
        OptDec(e, name) ?? throw Malformed($"field '{name}' is missing or not a number");

    private static decimal? OptDec(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.Number when v.TryGetDecimal(out var d) => d,
            JsonValueKind.String when decimal.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            JsonValueKind.Null => null,
            _ => throw Malformed($"field '{name}' is not a number ({v.GetRawText()})"),
        };
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static IReadOnlyList<string> Conditions(JsonElement e) =>
        e.TryGetProperty("c", out var c) && c.ValueKind == JsonValueKind.Array
            ? c.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToArray()
            : [];

    private static AlpacaStreamException Malformed(string what) =>
        new($"{Prefix}: {what}; fix: report the format change", null, isRetryable: false);

    private static void AddChannel(Dictionary<string, object?> message, string channel, IReadOnlyList<Symbol>? symbols)
    {
        if (symbols is { Count: > 0 })
        {
            message[channel] = symbols.Select(s => s.Value).Distinct().ToArray();
        }
    }

    private async Task SendAsync(Dictionary<string, object?> message, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message);
        await _socket!.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
    }

    private string CloseReason() =>
        _socket?.CloseStatus is { } status
            ? $"{(int)status} {_redactor.Scrub(_socket.CloseStatusDescription)}".Trim()
            : "no close status";

    private static string Describe(Exception ex) =>
        ex is WebSocketException w ? w.WebSocketErrorCode.ToString() : ex.GetType().Name;

    private string Snippet(string text) => KeyRedactor.OneLine(_redactor.Scrub(text), 120);

    private async Task CloseAsync()
    {
        var socket = _socket;
        _socket = null;
        if (socket is null)
        {
            return;
        }

        try
        {
            if (socket.State == WebSocketState.Open)
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", quick.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Closing a broken socket: nothing left to tell the server.
        }
        finally
        {
            socket.Dispose();
        }
    }

    private readonly record struct Message(string Type, string? Msg, StreamPayload? Payload);
}
