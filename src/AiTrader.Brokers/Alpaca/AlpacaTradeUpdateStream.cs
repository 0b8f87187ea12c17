using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AiTrader.Core.Brokers;
using AiTrader.MarketData;
using Microsoft.Extensions.Logging;

namespace AiTrader.Brokers.Alpaca;

/// <summary>One connection to Alpaca's trade_updates WebSocket: authenticate, listen, then yield order events in order.</summary>
internal sealed class AlpacaTradeUpdateStream(
    AlpacaTradingOptions options,
    Func<ClientWebSocket> socketFactory,
    KeyRedactor redactor,
    ILogger logger)
{
    private string Name => options.BrokerName;

    /// <param name="listening">Completed once authenticated and listening (before the first event is read).</param>
    public async IAsyncEnumerable<TradeUpdate> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken,
        TaskCompletionSource? listening = null)
    {
        using var socket = socketFactory();
        var url = options.ResolvedStreamUrl;
        await HandshakeAsync(socket, url, cancellationToken).ConfigureAwait(false);
        listening?.TrySetResult();
        logger.LogInformation("{Broker}: listening to trade_updates on {Host}", Name, url.Host);
        try
        {
            while (true)
            {
                var text = await ReceiveAsync(socket, cancellationToken).ConfigureAwait(false);
                if (text is null)
                {
                    yield break;
                }

                if (ParseMessage(text) is { Stream: "trade_updates" } message)
                {
                    yield return ParseUpdate(message.Data);
                }
            }
        }
        finally
        {
            await CloseQuietlyAsync(socket).ConfigureAwait(false);
        }
    }

    private async Task HandshakeAsync(ClientWebSocket socket, Uri url, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.StreamHandshakeTimeout);
        var token = deadline.Token;
        try
        {
            await socket.ConnectAsync(url, token).ConfigureAwait(false);
            // The auth message carries the secret: it is sent, never logged.
            await SendAsync(socket, AlpacaTradingJson.StreamAuthMessage(options.ApiKey!, options.ApiSecret!), token).ConfigureAwait(false);
            await ExpectAsync(socket, "authorization", data =>
            {
                var status = data.TryGetProperty("status", out var s) ? s.GetString() : null;
                if (status != "authorized")
                {
                    throw Fail(BrokerErrorKind.Unauthorized,
                        $"trade_updates stream refused the credentials (status '{status}'); fix: set valid APCA_API_KEY_ID and APCA_API_SECRET_KEY");
                }
            }, token).ConfigureAwait(false);
            await SendAsync(socket, AlpacaTradingJson.StreamListenMessage(), token).ConfigureAwait(false);
            await ExpectAsync(socket, "listening", data =>
            {
                var streams = data.TryGetProperty("streams", out var s) && s.ValueKind == JsonValueKind.Array
                    ? s.EnumerateArray().Select(x => x.GetString()).ToList()
                    : [];
                if (!streams.Contains("trade_updates"))
                {
                    throw Fail(BrokerErrorKind.MalformedResponse, "the stream did not confirm the trade_updates subscription; fix: report the protocol change");
                }
            }, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Fail(BrokerErrorKind.Timeout,
                $"trade_updates handshake with {url.Host} took longer than {options.StreamHandshakeTimeout.TotalSeconds:0.###}s; fix: check ALPACA_TRADING_STREAM_URL and the network");
        }
        catch (WebSocketException ex)
        {
            throw Fail(BrokerErrorKind.ServerError,
                $"cannot open the trade_updates stream at {url.Host}:{url.Port} ({ex.WebSocketErrorCode}); fix: check ALPACA_TRADING_STREAM_URL and the network");
        }
    }

    private async Task ExpectAsync(ClientWebSocket socket, string stream, Action<JsonElement> check, CancellationToken token)
    {
        while (true)
        {
            var text = await ReceiveAsync(socket, token).ConfigureAwait(false)
                ?? throw Fail(BrokerErrorKind.ServerError, $"the stream closed while waiting for '{stream}'; fix: retry later");
            if (ParseMessage(text) is { } message && message.Stream == stream)
            {
                check(message.Data);
                return;
            }
        }
    }

    /// <summary>Reads one whole message. The paper endpoint sends JSON in binary frames, so both frame kinds are text here.</summary>
    private async Task<string?> ReceiveAsync(ClientWebSocket socket, CancellationToken token)
    {
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        while (true)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer, token).ConfigureAwait(false);
            }
            catch (WebSocketException ex) when (!token.IsCancellationRequested)
            {
                throw Fail(BrokerErrorKind.ServerError, $"the trade_updates stream dropped ({ex.WebSocketErrorCode}); fix: reconnect and reconcile open orders");
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            }
        }
    }

    private static Task SendAsync(ClientWebSocket socket, string text, CancellationToken token) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, token);

    private (string Stream, JsonElement Data)? ParseMessage(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("stream", out var s) || s.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var data = root.TryGetProperty("data", out var d) ? d.Clone() : default;
            return (s.GetString()!, data);
        }
        catch (JsonException ex)
        {
            throw Fail(BrokerErrorKind.MalformedResponse, $"unreadable stream message ({ex.Message}); fix: report the protocol change");
        }
    }

    private TradeUpdate ParseUpdate(JsonElement data)
    {
        try
        {
            return AlpacaTradingJson.ParseTradeUpdate(data);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw Fail(BrokerErrorKind.MalformedResponse, $"unreadable trade update ({ex.Message}); fix: report the format change");
        }
    }

    private static async Task CloseQuietlyAsync(ClientWebSocket socket)
    {
        if (socket.State != WebSocketState.Open)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The server is gone or slow to answer; the socket is disposed either way.
        }
    }

    private BrokerException Fail(BrokerErrorKind kind, string text) => new(Name, kind, redactor.Scrub($"{Name}: {text}"));
}
