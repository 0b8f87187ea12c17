using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AiTrader.Application;
using AiTrader.Application.Jobs;
using AiTrader.Core.Journal;
using AiTrader.Core.Risk;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AiTrader.Service;

/// <summary>Signed alerts from outside (TradingView through a relay, a monitoring tool) that act on running sessions:
/// engage or release the kill switch of one session or of all.</summary>
/// <remarks>
/// A delivery carries <c>X-Signature: sha256=&lt;hex HMAC-SHA256 of the raw body&gt;</c> under the shared secret
/// <see cref="SecretVariable"/>, and <c>X-Timestamp</c> (Unix seconds) within <see cref="Tolerance"/> of the service's
/// clock. The body names the alert with an <c>id</c>: the first delivery of an id acts, a repeat of the same body is
/// answered as a duplicate and acts no more (a sender's retry, or a replay inside the window), and the same id with
/// another body is refused. Every delivery is journaled (kind <c>webhook</c>), accepted or refused with its reason;
/// the journal keeps the body's digest, never the secret or the signature.
/// </remarks>
internal static class WebhookEndpoints
{
    /// <summary>The shared secret that signs deliveries (<see cref="WebhookSignature"/>).</summary>
    public const string SecretVariable = WebhookSignature.SecretVariable;

    /// <summary>The shortest secret accepted.</summary>
    public const int MinimumSecretLength = WebhookSignature.MinimumSecretLength;

    /// <summary>How far X-Timestamp may be from the service's clock, either way.</summary>
    public static readonly TimeSpan Tolerance = WebhookSignature.Tolerance;

    private static readonly string[] Actions = ["kill_switch", "release"];

    /// <summary>The secret from <paramref name="env"/>, or null when unset.</summary>
    /// <exception cref="ArgumentException">Set but shorter than <see cref="MinimumSecretLength"/>.</exception>
    public static byte[]? SecretFrom(Func<string, string?> env) => WebhookSignature.SecretFrom(env);

    public static void Map(WebApplication app, byte[]? secret, Func<IJournal> openJournal)
    {
        app.MapPost("/webhooks/alerts", async (HttpRequest request, JobRunner runner, TimeProvider time, CancellationToken ct) =>
            {
                using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer, ct);
                var body = buffer.ToArray();
                var now = time.GetUtcNow();
                var delivery = new Delivery(body, request.Headers["X-Timestamp"].ToString(), now.UtcDateTime);
                await using var journal = openJournal();

                async Task<IResult> RefuseAsync(int status, string title, string detail, string? field = null)
                {
                    await journal.AppendAsync(delivery.Entry($"refused ({status}): {title}", w => w.WriteNumber("status", status)), CancellationToken.None);
                    return Problems.Result(status, title, detail, field);
                }

                if (secret is null)
                {
                    return await RefuseAsync(StatusCodes.Status503ServiceUnavailable, "webhooks are off",
                        $"set {SecretVariable} (at least {MinimumSecretLength} characters) and restart the service.");
                }

                if (!long.TryParse(delivery.TimestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                    || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
                {
                    return await RefuseAsync(StatusCodes.Status401Unauthorized, "timestamp required",
                        "send X-Timestamp: the Unix time in seconds when the alert was signed.");
                }

                if (!WebhookSignature.Matches(request.Headers[WebhookSignature.SignatureHeader].ToString(), secret, body))
                {
                    return await RefuseAsync(StatusCodes.Status401Unauthorized, "bad signature",
                        "send X-Signature: sha256=<hex HMAC-SHA256 of the raw body under the shared secret>.");
                }

                var skew = now - DateTimeOffset.FromUnixTimeSeconds(seconds);
                if (skew.Duration() > Tolerance)
                {
                    return await RefuseAsync(StatusCodes.Status401Unauthorized, "stale timestamp",
                        $"X-Timestamp is {Math.Abs(skew.TotalSeconds):0} s from the service's clock (at most {Tolerance.TotalSeconds:0} s); sign each delivery when sending it.");
                }

                Alert alert;
                try
                {
                    alert = Parse(body);
                }
                catch (RequestException ex)
                {
                    return await RefuseAsync(StatusCodes.Status400BadRequest, "bad alert", ex.Message, ex.Field);
                }

                var eventKey = "webhook:" + alert.Id;
                if (await journal.FindByEventKeyAsync(eventKey, ct) is { } earlier)
                {
                    return await RepeatAsync(earlier);
                }

                var targets = alert.Session == "all" ? runner.LiveSessions : [alert.Session];
                var switches = targets.Select(id => (Id: id, Kill: runner.LiveGuardrails(id)?.KillSwitch))
                    .Where(t => t.Kill is not null).ToList();
                if (alert.Session != "all" && switches.Count == 0)
                {
                    return await RefuseAsync(StatusCodes.Status409Conflict, "session not running",
                        $"{alert.Session} is not a running session with a kill switch; see /api/sessions.", "session");
                }

                // The entry under the alert's id is the claim: of two deliveries racing with the same id, the one whose
                // entry the journal kept acts; the other is answered as a repeat.
                var claim = delivery.Entry($"accepted: {alert.Action} on {alert.Session}" + (alert.Reason.Length > 0 ? $": {alert.Reason}" : ""), w =>
                {
                    w.WriteString("id", alert.Id);
                    w.WriteString("action", alert.Action);
                    w.WriteString("session", alert.Session);
                    w.WriteString("reason", alert.Reason);
                    w.WriteStartArray("sessions");
                    foreach (var (id, _) in switches)
                    {
                        w.WriteStringValue(id);
                    }

                    w.WriteEndArray();
                }) with
                { EventKey = eventKey };
                var stored = await journal.AppendAsync(claim, CancellationToken.None);
                if (stored.Data != claim.Data)
                {
                    return await RepeatAsync(stored);
                }

                foreach (var (_, kill) in switches)
                {
                    if (alert.Action == "kill_switch")
                    {
                        kill!.Engage(now.UtcDateTime, "webhook", alert.Reason);
                    }
                    else
                    {
                        kill!.Release();
                    }
                }

                return Results.Json(new { id = alert.Id, action = alert.Action, sessions = switches.Select(s => s.Id), duplicate = false });

                async Task<IResult> RepeatAsync(JournalEntry first)
                {
                    using var doc = JsonDocument.Parse(first.Data ?? "{}");
                    if (!doc.RootElement.TryGetProperty("digest", out var digest) || digest.GetString() != delivery.Digest)
                    {
                        return await RefuseAsync(StatusCodes.Status409Conflict, "alert id reused",
                            $"alert {alert.Id} was received on {first.Timestamp:yyyy-MM-dd HH:mm:ss} UTC with another body; give each alert its own id.", "id");
                    }

                    await journal.AppendAsync(delivery.Entry($"duplicate of alert {alert.Id}: not acted on again", w => w.WriteString("id", alert.Id)), CancellationToken.None);
                    return Results.Json(new { id = alert.Id, action = alert.Action, duplicate = true, first_received = first.Timestamp });
                }
            })
            .AllowAnonymous() // authenticated by the signature, checked above
            .WithSummary("A signed alert acting on running sessions: X-Signature: sha256=<hex HMAC of the raw body>, X-Timestamp: <Unix s>, " +
                "body {\"id\", \"action\": \"kill_switch\" | \"release\", \"session\": \"<job id>\" | \"all\", \"reason\"}.");
    }

    /// <summary>One delivery as the journal records it: when, the body's digest and size, the timestamp it claimed.</summary>
    private sealed record Delivery(byte[] Body, string TimestampHeader, DateTime ReceivedUtc)
    {
        public string Digest { get; } = Convert.ToHexStringLower(SHA256.HashData(Body));

        public JournalEntry Entry(string reason, Action<Utf8JsonWriter> fields) =>
            JournalEntry.Create(ReceivedUtc, JournalKind.Webhook, reason) with
            {
                Data = JsonText.Write(w =>
                {
                    w.WriteStartObject();
                    fields(w);
                    w.WriteString("digest", Digest);
                    w.WriteNumber("bytes", Body.Length);
                    w.WriteString("x_timestamp", TimestampHeader.Length <= 20 ? TimestampHeader : TimestampHeader[..20]);
                    w.WriteString("delivery", Guid.NewGuid().ToString("N"));
                    w.WriteEndObject();
                }),
            };
    }

    private sealed record Alert(string Id, string Action, string Session, string Reason);

    private static Alert Parse(byte[] body)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(body.Length == 0 ? "null"u8.ToArray() : body);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new RequestException("the alert is not JSON; send {\"id\": \"...\", \"action\": \"kill_switch\", \"session\": \"all\", \"reason\": \"...\"}.");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new RequestException("the alert must be a JSON object: {\"id\": \"...\", \"action\": \"kill_switch\", \"session\": \"all\", \"reason\": \"...\"}.");
        }

        string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var id = Text("id")?.Trim();
        if (string.IsNullOrEmpty(id) || id.Length > 128 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
        {
            throw new RequestException("id is required: the alert's own id, 1 to 128 letters, digits, '-', '_', '.' or ':' (a repeat of an id acts once).", "id");
        }

        var action = Text("action")?.Trim().ToLowerInvariant();
        if (action is null || !Actions.Contains(action))
        {
            throw new RequestException($"action must be one of {string.Join(", ", Actions)}.", "action");
        }

        var session = Text("session")?.Trim();
        if (string.IsNullOrEmpty(session) || (session != "all" && !AiTrader.Storage.Jobs.JobIds.IsWellFormed(session)))
        {
            throw new RequestException("session must be a session job id or \"all\".", "session");
        }

        var reason = Text("reason")?.Trim() ?? "";
        if (action == "kill_switch" && (reason.Length == 0 || reason.Length > 500))
        {
            throw new RequestException("reason is required for kill_switch (1 to 500 characters).", "reason");
        }

        return new Alert(id, action, session, reason);
    }
}
