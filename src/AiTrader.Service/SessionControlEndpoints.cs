using System.Security.Claims;
using System.Text.Json;
using AiTrader.Application;
using AiTrader.Application.Jobs;
using AiTrader.Application.Sessions;
using AiTrader.Core.Risk;
using AiTrader.Storage.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AiTrader.Service;

/// <summary>A session's book (account, positions, working orders), and a running session's guardrail panel and its two operator actions: the kill switch (engage with a reason,
/// release) and the reset of a max-drawdown halt. Acting needs the trader role; the key's name is recorded as who acted.</summary>
internal static class SessionControlEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        var group = api.MapGroup("/sessions/{id}");
        group.MapGet("/guardrails", (JobRunner runner, string id) => Live(runner, id, set => Results.Text(PanelJson(set), "application/json")))
            .WithSummary("The running session's guardrails: kill switch, drawdown halts, and every guardrail's state.");
        group.MapGet("/book", async (JobRunner runner, string id, CancellationToken ct) =>
            {
                if (!JobIds.IsWellFormed(id) || await runner.Store.GetAsync(id, ct) is not { Kind: JobRunner.SessionKind } job)
                {
                    return NoSuchSession(id);
                }

                var runId = runner.RunIdOf(job);
                if (runId is null)
                {
                    return Problems.Result(StatusCodes.Status409Conflict, "no book yet", $"{id} is {job.State.ToText()}; it has no account until it runs.");
                }

                var book = SessionBook.Read(runner.Settings.DataDir, runId);
                return Results.Json(new
                {
                    run_id = runId,
                    state = job.State.ToText(),
                    as_of = book?.AsOfUtc,
                    cash = book?.Cash,
                    equity = book?.Equity,
                    fills = book?.Fills ?? 0,
                    positions = book?.Positions.Select(p => new { symbol = p.Symbol, quantity = p.Quantity, mark = p.Mark, market_value = p.MarketValue }),
                    working_orders = book?.WorkingOrders.Select(o => new
                    {
                        id = o.Id,
                        symbol = o.Symbol,
                        side = o.Side,
                        type = o.Type,
                        quantity = o.Quantity,
                        filled = o.Filled,
                        limit_price = o.LimitPrice,
                        stop_price = o.StopPrice,
                        created_at = o.CreatedAt,
                        reason = o.Reason,
                    }),
                });
            })
            .WithSummary("A session's account from its latest snapshot, while it runs or after: cash, equity, positions with marks, working orders.");
        group.MapPost("/kill-switch", async (HttpRequest request, ClaimsPrincipal user, JobRunner runner, TimeProvider time, string id, CancellationToken ct) =>
            {
                var body = await RequestText.ReadAsync(request, ct);
                var reason = string.IsNullOrWhiteSpace(body) ? "" : ReasonOf(body);

                if (string.IsNullOrWhiteSpace(reason) || reason.Length > 500)
                {
                    throw new RequestException("reason is required (1 to 500 characters), e.g. {\"reason\": \"runaway orders\"}.", "reason");
                }

                return Live(runner, id, set =>
                {
                    Switch(set).Engage(time.GetUtcNow().UtcDateTime, $"api key {user.FindFirstValue(ClaimTypes.Name)}", reason.Trim());
                    return Results.Text(PanelJson(set), "application/json");
                });
            })
            .RequireAuthorization(ApiKeyAuthenticationHandler.TraderPolicy)
            .WithSummary("Engage the kill switch: every new order is blocked except protective ones. Body: {\"reason\": \"...\"}.");
        group.MapDelete("/kill-switch", (JobRunner runner, string id) => Live(runner, id, set =>
            {
                Switch(set).Release();
                return Results.Text(PanelJson(set), "application/json");
            }))
            .RequireAuthorization(ApiKeyAuthenticationHandler.TraderPolicy)
            .WithSummary("Release the kill switch.");
        group.MapPost("/reset-halt", (JobRunner runner, TimeProvider time, string id) => Live(runner, id, set =>
            {
                var halted = set.Guardrails.OfType<DrawdownGate>().Where(g => g.IsHalted).ToList();
                if (halted.Count == 0)
                {
                    return Problems.Result(StatusCodes.Status409Conflict, "not halted", "no max-drawdown halt is in force in this session.");
                }

                var now = time.GetUtcNow().UtcDateTime;
                return halted.All(g => g.ManualReset(now))
                    ? Results.Text(PanelJson(set), "application/json")
                    : Problems.Result(StatusCodes.Status409Conflict, "cool-off not over",
                        $"the halt's cool-off ends at {halted.Select(g => g.CoolOffEndsUtc).Max():yyyy-MM-ddTHH:mm:ssZ}; reset it after that.");
            }))
            .RequireAuthorization(ApiKeyAuthenticationHandler.TraderPolicy)
            .WithSummary("Reset a max-drawdown halt once its cool-off is over.");
    }

    /// <summary>The run of a finished session, from its result.</summary>
    private static string ReasonOf(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String
                ? r.GetString() ?? ""
                : "";
        }
        catch (JsonException)
        {
            throw new RequestException("the body is not JSON; send {\"reason\": \"...\"}.", "reason");
        }
    }

    private static IResult NoSuchSession(string id) =>
        Problems.Result(StatusCodes.Status404NotFound, "no such session", $"there is no session job '{id}'; list them at /api/sessions.", "id");

    private static IResult Live(JobRunner runner, string id, Func<GuardrailSet, IResult> act)
    {
        if (!JobIds.IsWellFormed(id))
        {
            return NoSuchSession(id);
        }

        return runner.LiveGuardrails(id) is { } set
            ? act(set)
            : Problems.Result(StatusCodes.Status409Conflict, "session not running",
                $"{id} is not running (its guardrails exist only while it runs); see /api/sessions/{id}.");
    }

    private static KillSwitch Switch(GuardrailSet set) =>
        set.KillSwitch
        ?? throw new RequestException("this session runs without a kill switch (its guardrails leave it out); start it with guardrails \"default\".", "guardrails");

    private static string PanelJson(GuardrailSet set)
    {
        return JsonText.Write(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("rules");
            foreach (var g in set.Guardrails)
            {
                json.WriteStringValue(g.Rule);
            }

            json.WriteEndArray();
            if (set.KillSwitch is { } kill)
            {
                json.WriteStartObject("kill_switch");
                json.WriteBoolean("engaged", kill.IsEngaged);
                if (kill.EngagedAtUtc is { } at)
                {
                    json.WriteString("engaged_at", at);
                    json.WriteString("engaged_by", kill.EngagedBy);
                    json.WriteString("reason", kill.EngagedReason);
                }

                json.WriteEndObject();
            }

            json.WriteStartArray("drawdown_halts");
            foreach (var gate in set.Guardrails.OfType<DrawdownGate>())
            {
                json.WriteStartObject();
                json.WriteBoolean("halted", gate.IsHalted);
                if (gate.HaltedAtUtc is { } at)
                {
                    json.WriteString("halted_at", at);
                }

                if (gate.CoolOffEndsUtc is { } ends)
                {
                    json.WriteString("cool_off_ends", ends);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WritePropertyName("state");
            json.WriteRawValue(set.ExportState());
            json.WriteEndObject();
        });
    }
}
