using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using AiTrader.Core.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiTrader.Integration.Tests.Streaming;

/// <summary>How a scripted connection ends after its bars are sent.</summary>
public enum StreamEnd
{
    /// <summary>Abort the TCP connection without a close handshake (a dropped socket).</summary>
    Drop,

    /// <summary>Proper WebSocket close.</summary>
    Close,

    /// <summary>Keep the socket open and send nothing more (a hung connection).</summary>
    Silent,
}

/// <summary>What one accepted connection does: its bars (in frames), an optional error, and how it ends.</summary>
public sealed record StreamScript(
    IReadOnlyList<IReadOnlyList<(string Symbol, Bar Bar)>> Frames,
    StreamEnd End = StreamEnd.Silent,
    int? ErrorAfterConnect = null,
    int? ErrorAfterSubscribe = null,
    IReadOnlyList<string>? RawFrames = null,
    int DropAfterRestRequests = 0,
    long OversizeMessageBytes = 0);

/// <summary>Loopback fake of the Alpaca data service: the v2 stock stream (WebSocket, JSON frames) at /v2/iex and the REST
/// bars endpoint at /v2/stocks/{symbol}/bars for backfill, on one Kestrel app at http://127.0.0.1:0.</summary>
public sealed class FakeAlpacaStream : IAsyncDisposable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly Dictionary<int, string> ErrorText = new()
    {
        [402] = "auth failed",
        [405] = "symbol limit exceeded",
        [406] = "connection limit exceeded",
        [409] = "insufficient subscription",
        [500] = "internal error",
    };

    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private int _connections;

    public string ApiKey { get; set; } = "PKSTREAMKEY-789";

    public string ApiSecret { get; set; } = "STREAMSECRET-abc";

    /// <summary>Script for the n-th connection (0-based); connections past the list get an empty silent session.</summary>
    public List<StreamScript> Scripts { get; } = [];

    /// <summary>Bars the REST endpoint serves, per symbol.</summary>
    public Dictionary<string, List<Bar>> RestBars { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentQueue<string> ClientMessages { get; } = new();

    public TimeSpan DropDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    public ConcurrentQueue<string> RestRequests { get; } = new();

    public int Connections => Volatile.Read(ref _connections);

    public Uri HttpBase { get; private set; } = null!;

    public Uri StreamUrl => new($"ws://{HttpBase.Authority}/v2/iex");

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.UseWebSockets();
        app.Map("/v2/iex", StreamAsync);
        app.MapGet("/v2/stocks/{symbol}/bars", BarsAsync);
        await app.StartAsync();
        HttpBase = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        _app = app;
    }

    private async Task StreamAsync(HttpContext ctx)
    {
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            ctx.Response.StatusCode = 400;
            return;
        }

        var index = Interlocked.Increment(ref _connections) - 1;
        var script = index < Scripts.Count ? Scripts[index] : new StreamScript([]);
        using var ws = await ctx.WebSockets.AcceptWebSocketAsync();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping.Token);
        var ct = linked.Token;
        try
        {
            await SendAsync(ws, "[{\"T\":\"success\",\"msg\":\"connected\"}]", ct);
            if (script.ErrorAfterConnect is { } early)
            {
                await ErrorAndCloseAsync(ws, early, ct);
                return;
            }

            using (var auth = await ReceiveJsonAsync(ws, ct))
            {
                var r = auth.RootElement;
                if (r.GetProperty("action").GetString() != "auth" || r.GetProperty("key").GetString() != ApiKey
                    || r.GetProperty("secret").GetString() != ApiSecret)
                {
                    await ErrorAndCloseAsync(ws, 402, ct);
                    return;
                }
            }

            await SendAsync(ws, "[{\"T\":\"success\",\"msg\":\"authenticated\"}]", ct);
            using (var sub = await ReceiveJsonAsync(ws, ct))
            {
                var r = sub.RootElement;
                if (script.ErrorAfterSubscribe is { } late)
                {
                    await ErrorAndCloseAsync(ws, late, ct);
                    return;
                }

                var bars = r.TryGetProperty("bars", out var b) ? b.GetRawText() : "[]";
                // Echo the whole set, as Alpaca does.
                await SendAsync(ws, $"[{{\"T\":\"subscription\",\"trades\":[],\"quotes\":[],\"bars\":{bars}}}]", ct);
            }

            if (script.OversizeMessageBytes > 0)
            {
                // One message sent as 64 KiB fragments that never reach EndOfMessage within the size given.
                var fragment = Encoding.UTF8.GetBytes("[" + new string(' ', 64 * 1024 - 1));
                for (long sent = 0; sent < script.OversizeMessageBytes && ws.State == WebSocketState.Open; sent += fragment.Length)
                {
                    await ws.SendAsync(fragment, WebSocketMessageType.Text, endOfMessage: false, ct);
                    fragment[0] = (byte)' ';
                }
            }

            foreach (var raw in script.RawFrames ?? [])
            {
                await SendAsync(ws, raw, ct);
            }

            foreach (var frame in script.Frames)
            {
                await SendAsync(ws, "[" + string.Join(",", frame.Select(x => BarJson(x.Symbol, x.Bar))) + "]", ct);
            }

            switch (script.End)
            {
                case StreamEnd.Drop:
                    // An abort resets the TCP connection, which can discard frames the client has not read yet;
                    // give it a moment so the drop happens after the data, as in the scenario being modelled.
                    // Backfill calls made while reading this connection's frames are the slow part: wait for them first.
                    for (var i = 0; i < 200 && RestRequests.Count < script.DropAfterRestRequests; i++)
                    {
                        await Task.Delay(50, ct);
                    }

                    await Task.Delay(DropDelay, ct);
                    ctx.Abort();
                    return;
                case StreamEnd.Close:
                    await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", ct);
                    return;
                default:
                    // Hold the socket until the client goes away.
                    var sink = new byte[1024];
                    while (ws.State == WebSocketState.Open)
                    {
                        var res = await ws.ReceiveAsync(sink, ct);
                        if (res.MessageType == WebSocketMessageType.Close)
                        {
                            return;
                        }
                    }

                    return;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away: nothing to do.
        }
    }

    private async Task BarsAsync(HttpContext ctx, string symbol)
    {
        RestRequests.Enqueue(ctx.Request.Path + ctx.Request.QueryString);
        if (ctx.Request.Headers["APCA-API-KEY-ID"] != ApiKey || ctx.Request.Headers["APCA-API-SECRET-KEY"] != ApiSecret)
        {
            await WriteJsonAsync(ctx, "{\"message\":\"unauthorized\"}", 401);
            return;
        }

        var q = ctx.Request.Query;
        if (q["timeframe"] != "1Min")
        {
            await WriteJsonAsync(ctx, "{\"code\":42210000,\"message\":\"this fake serves 1Min only\"}", 422);
            return;
        }

        var start = DateTime.Parse(q["start"]!, Inv, DateTimeStyles.AdjustToUniversal);
        var end = DateTime.Parse(q["end"]!, Inv, DateTimeStyles.AdjustToUniversal);
        var bars = RestBars.TryGetValue(symbol, out var list)
            ? list.Where(b => b.Timestamp >= start && b.Timestamp <= end).OrderBy(b => b.Timestamp).ToList()
            : [];
        var body = bars.Count == 0
            ? $"{{\"bars\":null,\"next_page_token\":null,\"symbol\":\"{symbol}\"}}"
            : $"{{\"bars\":[{string.Join(",", bars.Select(b => RestBarJson(b)))}],\"symbol\":\"{symbol}\",\"next_page_token\":null}}";
        await WriteJsonAsync(ctx, body);
    }

    public static string BarJson(string symbol, Bar b) =>
        $"{{\"T\":\"b\",\"S\":\"{symbol}\",\"o\":{b.Open.ToString(Inv)},\"h\":{b.High.ToString(Inv)},\"l\":{b.Low.ToString(Inv)},\"c\":{b.Close.ToString(Inv)},\"v\":{b.Volume.ToString(Inv)},\"n\":{b.TradeCount ?? 12},\"vw\":{(b.Vwap ?? b.Close).ToString(Inv)},\"t\":\"{b.Timestamp:yyyy-MM-dd'T'HH:mm:ss'Z'}\"}}";

    private static string RestBarJson(Bar b) =>
        $"{{\"t\":\"{b.Timestamp:yyyy-MM-dd'T'HH:mm:ss'Z'}\",\"o\":{b.Open.ToString(Inv)},\"h\":{b.High.ToString(Inv)},\"l\":{b.Low.ToString(Inv)},\"c\":{b.Close.ToString(Inv)},\"v\":{b.Volume.ToString(Inv)},\"n\":{b.TradeCount ?? 12},\"vw\":{(b.Vwap ?? b.Close).ToString(Inv)}}}";

    private static async Task ErrorAndCloseAsync(WebSocket ws, int code, CancellationToken ct)
    {
        await SendAsync(ws, $"[{{\"T\":\"error\",\"code\":{code},\"msg\":\"{ErrorText.GetValueOrDefault(code, "error")}\"}}]", ct);
        await ws.CloseAsync(WebSocketCloseStatus.PolicyViolation, ErrorText.GetValueOrDefault(code, "error"), ct);
    }

    private static Task SendAsync(WebSocket ws, string text, CancellationToken ct) =>
        ws.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, ct);

    private async Task<JsonDocument> ReceiveJsonAsync(WebSocket ws, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        var count = 0;
        while (true)
        {
            var res = await ws.ReceiveAsync(buffer.AsMemory(count), ct);
            if (res.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException("client closed");
            }

            count += res.Count;
            if (res.EndOfMessage)
            {
                break;
            }
        }

        var text = Encoding.UTF8.GetString(buffer, 0, count);
        ClientMessages.Enqueue(text);
        return JsonDocument.Parse(text);
    }

    private static Task WriteJsonAsync(HttpContext ctx, string body, int status = 200)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        return ctx.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _stopping.Dispose();
    }
}
