using AiTrader.Integration.Tests.Vendors.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiTrader.Integration.Tests.Watchlists;

/// <summary>signal-cli-rest-api fake: <c>GET /v1/receive/{number}</c> answers an array of envelopes as the API sends
/// them (data messages, the account's own sent messages as syncMessage, receipts and typing notices), takes them off
/// the queue, and answers <c>{"error": ...}</c> for an unknown number or json-rpc mode.</summary>
public sealed class FakeSignalCli : FakeVendorServer
{
    public string Number { get; set; } = "+15551234567";

    public bool JsonRpcMode { get; set; }

    /// <summary>Raw envelope JSON objects waiting in the queue.</summary>
    public List<string> Queue { get; } = [];

    public void AddText(string text, long timestampMs = 1631458508784) => Queue.Add(
        $"{{\"envelope\":{{\"source\":\"+15557654321\",\"sourceNumber\":\"+15557654321\",\"sourceUuid\":\"7ccae375-cd51-4c82-8b1e-7be3280aa485\",\"sourceName\":\"Trader\",\"sourceDevice\":1,\"timestamp\":{timestampMs},\"dataMessage\":{{\"timestamp\":{timestampMs},\"message\":{System.Text.Json.JsonSerializer.Serialize(text)},\"expiresInSeconds\":0,\"viewOnce\":false}}}},\"account\":\"{Number}\"}}");

    public void AddSent(string text, long timestampMs = 1631458509000) => Queue.Add(
        $"{{\"envelope\":{{\"source\":\"{Number}\",\"sourceNumber\":\"{Number}\",\"sourceUuid\":\"0d7a0f9b-1a7c-4f33-9b1f-2a6a5b9e7c11\",\"sourceName\":\"Me\",\"sourceDevice\":2,\"timestamp\":{timestampMs},\"syncMessage\":{{\"sentMessage\":{{\"destination\":\"+15557654321\",\"timestamp\":{timestampMs},\"message\":{System.Text.Json.JsonSerializer.Serialize(text)},\"expiresInSeconds\":0,\"viewOnce\":false}}}}}},\"account\":\"{Number}\"}}");

    public void AddReceipt() => Queue.Add(
        $"{{\"envelope\":{{\"source\":\"+15557654321\",\"sourceNumber\":\"+15557654321\",\"sourceDevice\":1,\"timestamp\":1631458510000,\"receiptMessage\":{{\"when\":1631458510000,\"isDelivery\":true,\"isRead\":false,\"isViewed\":false,\"timestamps\":[1631458509000]}}}},\"account\":\"{Number}\"}}");

    public void AddTyping() => Queue.Add(
        $"{{\"envelope\":{{\"source\":\"+15557654321\",\"sourceNumber\":\"+15557654321\",\"sourceDevice\":1,\"timestamp\":1631458511000,\"typingMessage\":{{\"action\":\"STARTED\",\"timestamp\":1631458511000}}}},\"account\":\"{Number}\"}}");

    protected override void Map(WebApplication app)
    {
        app.MapGet("/v1/receive/{number}", async (HttpContext ctx, string number) =>
        {
            if (JsonRpcMode)
            {
                await WriteJsonAsync(ctx, "{\"error\":\"Receive is not supported in json-rpc mode, use the websocket endpoint instead.\"}", 400);
                return;
            }

            if (number != Number)
            {
                await WriteJsonAsync(ctx, "{\"error\":\"User " + number + " is not registered.\\n\"}", 400);
                return;
            }

            var body = "[" + string.Join(",", Queue) + "]";
            var failure = CurrentFailure();
            if (!await TryWriteGenericFailureAsync(ctx, failure, body, "{\"error\":\"Too many requests\"}"))
            {
                Queue.Clear(); // receiving takes the messages off the queue
                await WriteJsonAsync(ctx, BodyOverride ?? body);
            }
        });
    }
}
