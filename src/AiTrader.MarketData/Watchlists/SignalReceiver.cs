using System.Globalization;
using System.Text.Json;

namespace AiTrader.MarketData.Watchlists;

/// <summary>signal-cli REST API settings: SIGNAL_CLI_URL (e.g. http://127.0.0.1:8080) and SIGNAL_NUMBER (the
/// registered account, +15551234567).</summary>
/// <param name="MaxMessages">Envelopes read at most per run.</param>
public sealed record SignalOptions(Uri? BaseUrl, string? Number, int MaxMessages = 1000, TimeSpan? AttemptTimeout = null)
{
    public bool IsConfigured => BaseUrl is not null && !string.IsNullOrWhiteSpace(Number);
}

/// <summary>Reads the messages waiting for a Signal account through the signal-cli REST API's receive endpoint
/// (<c>GET /v1/receive/{number}</c>, an array of <c>{"envelope":{...,"dataMessage":{"message":...}},"account":...}</c>).</summary>
/// <remarks>Receiving takes the messages off the server's queue (signal-cli's semantics): a message is read once. Only
/// text messages count (data messages and the account's own sent messages via <c>syncMessage.sentMessage</c>);
/// receipts and typing notices are skipped. The receive endpoint exists in signal-cli-rest-api's normal and native
/// modes; in json-rpc mode it answers 400 and the source says so.</remarks>
public sealed class SignalReceiver(HttpClient http, SignalOptions options)
{
    public async Task<(IReadOnlyList<ChatMessage> Messages, IReadOnlyList<string> Notes)> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (!options.IsConfigured)
        {
            throw new InvalidOperationException("Signal is not configured (SIGNAL_CLI_URL and SIGNAL_NUMBER).");
        }

        var uri = new Uri($"{options.BaseUrl!.AbsoluteUri.TrimEnd('/')}/v1/receive/{Uri.EscapeDataString(options.Number!)}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.AttemptTimeout ?? TimeSpan.FromSeconds(30));
        string body;
        int status;
        try
        {
            using var response = await http.GetAsync(uri, timeout.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ChatBackendException(false, false, $"signal: no answer from {uri.Host} in time; fix: check that signal-cli-rest-api runs");
        }
        catch (HttpRequestException ex)
        {
            throw new ChatBackendException(false, false, $"signal: cannot reach {uri.Host}:{uri.Port} ({ex.HttpRequestError}); fix: check SIGNAL_CLI_URL and that signal-cli-rest-api runs");
        }

        if (status == 429)
        {
            throw new ChatBackendException(true, false, $"signal: rate limited (HTTP 429 {ChatErrorText.Quote(body, "error")}); fix: try again later");
        }

        if (status is < 200 or >= 300)
        {
            throw new ChatBackendException(false, false, $"signal: HTTP {status} {ChatErrorText.Quote(body, "error")}; fix: check SIGNAL_NUMBER is registered and the API runs in normal or native mode");
        }

        return Parse(body);
    }

    private (IReadOnlyList<ChatMessage>, IReadOnlyList<string>) Parse(string body)
    {
        var messages = new List<ChatMessage>();
        var notes = new List<string>();
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new ChatBackendException(false, true, $"signal: expected a JSON array of envelopes, got {doc.RootElement.ValueKind}; fix: check SIGNAL_CLI_URL");
            }

            var count = 0;
            foreach (var item in doc.RootElement.EnumerateArray())
            {
                if (++count > options.MaxMessages)
                {
                    notes.Add($"signal: read the first {options.MaxMessages} envelopes only");
                    break;
                }

                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("envelope", out var envelope) || envelope.ValueKind != JsonValueKind.Object)
                {
                    throw new ChatBackendException(false, true, "signal: an entry has no 'envelope' object; fix: check SIGNAL_CLI_URL");
                }

                var text = Text(envelope, "dataMessage") ?? (envelope.TryGetProperty("syncMessage", out var sync) && sync.ValueKind == JsonValueKind.Object ? Text(sync, "sentMessage") : null);
                if (string.IsNullOrEmpty(text))
                {
                    continue;
                }

                var ms = envelope.TryGetProperty("timestamp", out var t) && t.TryGetInt64(out var v) ? v : 0;
                messages.Add(new ChatMessage(ms.ToString(CultureInfo.InvariantCulture), DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime, text));
            }
        }
        catch (JsonException ex)
        {
            throw new ChatBackendException(false, true, $"signal: invalid JSON ({ex.Message.ReplaceLineEndings(" ")}); fix: retry later", ex);
        }

        return (messages, notes);
    }

    private static string? Text(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var m) && m.ValueKind == JsonValueKind.Object && m.TryGetProperty("message", out var text) && text.ValueKind == JsonValueKind.String
            ? text.GetString()
            : null;
}
