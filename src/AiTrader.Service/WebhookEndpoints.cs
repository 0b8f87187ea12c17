using System.Text.Json;
using AiTrader.Application;
using AiTrader.Application.Jobs;
using AiTrader.Core.Risk;
using AiTrader.Storage.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AiTrader.Service;

/// <summary>Alerts from outside (TradingView, a monitoring tool) that act on running sessions: engage or release the kill
/// switch of one session or of all. TradingView cannot set headers, so the key may come in the body (<c>"key"</c>) as
/// well as in the usual headers; either way it must be a trader key, and the body is never logged.</summary>
internal static class WebhookEndpoints
{
    private static readonly string[] Actions = ["kill_switch", "release"];

    public static void Map(WebApplication app)
    {
        app.MapPost("/api/webhooks/alert", async (HttpRequest request, IApiKeyStore keys, JobRunner runner, TimeProvider time, CancellationToken ct) =>
            {
                string body;
                using (var reader = new StreamReader(request.Body))
                {
                    body = await reader.ReadToEndAsync(ct);
                }

                var alert = Parse(body);
                var key = ApiKeyAuthenticationHandler.KeyOf(request) ?? alert.Key;
                var info = await keys.VerifyAsync(key, ct);
                if (info is null)
                {
                    return Problems.Result(StatusCodes.Status401Unauthorized, "API key required",
                        "send a trader key in the body (\"key\") or as 'Authorization: Bearer <key>'.");
                }

                if (info.Role != ApiKeyRole.Trader)
                {
                    return Problems.Result(StatusCodes.Status403Forbidden, "trader role required", "webhooks act on sessions; use a key with the trader role.");
                }

                var targets = alert.Session == "all" ? runner.LiveSessions : [alert.Session];
                var acted = new List<string>();
                foreach (var id in targets)
                {
                    if (runner.LiveGuardrails(id)?.Guardrails.OfType<KillSwitch>().FirstOrDefault() is not { } kill)
                    {
                        continue;
                    }

                    if (alert.Action == "kill_switch")
                    {
                        kill.Engage(time.GetUtcNow().UtcDateTime, $"webhook (key {info.Name})", alert.Reason);
                    }
                    else
                    {
                        kill.Release();
                    }

                    acted.Add(id);
                }

                return alert.Session != "all" && acted.Count == 0
                    ? Problems.Result(StatusCodes.Status409Conflict, "session not running",
                        $"{alert.Session} is not a running session with a kill switch; see /api/sessions.", "session")
                    : Results.Json(new { action = alert.Action, sessions = acted });
            })
            .AllowAnonymous() // the key may be in the body, checked above
            .WithSummary("An alert acting on running sessions: {\"key\", \"action\": \"kill_switch\" | \"release\", \"session\": \"<job id>\" | \"all\", \"reason\"}.");
    }

    private sealed record Alert(string? Key, string Action, string Session, string Reason);

    private static Alert Parse(string body)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(body) ? "null" : body);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new RequestException("the alert is not JSON; send {\"action\": \"kill_switch\", \"session\": \"all\", \"reason\": \"...\"}.");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new RequestException("the alert must be a JSON object: {\"action\": \"kill_switch\", \"session\": \"all\", \"reason\": \"...\"}.");
        }

        string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
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

        return new Alert(Text("key"), action, session, reason);
    }
}
