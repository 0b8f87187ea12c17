using System.Text;
using AiTrader.Application;
using AiTrader.Application.Journal;
using AiTrader.Core.Journal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AiTrader.Service;

/// <summary>The trading journal over HTTP: pages newest first, filtered by New York date, kind, symbol and guardrail
/// rule; the blocks by rule; and every matching entry as a CSV or JSON Lines download.</summary>
internal static class JournalEndpoints
{
    public static void Map(RouteGroupBuilder api, Func<IJournal> open)
    {
        api.MapGet("/journal", async (string? date, string? kind, string? symbol, string? rule, int? limit, long? before_id, CancellationToken ct) =>
            {
                var request = JournalPageRequest.Parse(date, kind, symbol, limit, before_id, rule);
                await using var journal = open();
                var page = await JournalPages.ReadAsync(journal, request, ct);
                return Results.Text(PageJson(page), "application/json");
            })
            .WithSummary("The trading journal, newest first: filter by New York date, kind, symbol and guardrail rule (blocks it decided); " +
                "page with limit (at most 500) and before_id.");
        api.MapGet("/journal/rules", async (string? date, string? symbol, CancellationToken ct) =>
            {
                var request = JournalPageRequest.Parse(date, null, symbol, null, null);
                await using var journal = open();
                var rules = await JournalPages.BlocksByRuleAsync(journal, request, ct);
                return Results.Json(new { rules = rules.Select(r => new { rule = r.Rule, blocks = r.Blocks }) });
            })
            .WithSummary("Every guardrail rule, in the order they are checked, with the blocks it decided (filter by New York date and symbol).");
        api.MapGet("/journal/export", async (HttpContext context, string? format, string? date, string? kind, string? symbol, string? rule, CancellationToken ct) =>
            {
                var jsonl = format?.Trim().ToLowerInvariant() switch
                {
                    null or "" or "csv" => false,
                    "jsonl" => true,
                    _ => throw new RequestException($"format '{format}' is not an export format; use csv or jsonl.", "format"),
                };
                var request = JournalPageRequest.Parse(date, kind, symbol, null, null, rule);
                await using var journal = open();
                var entries = await JournalPages.MatchingAsync(journal, request, ct);
                var name = FileName(request, jsonl ? "jsonl" : "csv");
                var response = context.Response;
                response.ContentType = jsonl ? "application/x-ndjson; charset=utf-8" : "text/csv; charset=utf-8";
                response.Headers.ContentDisposition = $"attachment; filename=\"{name}\"";
                await using var writer = new StreamWriter(response.Body, new UTF8Encoding(false), leaveOpen: true);
                if (jsonl)
                {
                    await JournalExport.WriteJsonlAsync(entries, writer, ct);
                }
                else
                {
                    await JournalExport.WriteCsvAsync(entries, writer, ct);
                }
            })
            .WithSummary("Every journal entry the filter matches (date, kind, symbol, rule), oldest first, as a download: format csv " +
                "(the columns of `aitrader journal export`) or jsonl.");
    }

    /// <summary>journal[-date][-kind][-rule][-symbol].csv: what the file holds, in its name.</summary>
    private static string FileName(JournalPageRequest request, string extension)
    {
        var parts = new List<string> { "journal" };
        if (request.Query.Date is { } d)
        {
            parts.Add(d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (request.Query.Kind is { } k)
        {
            parts.Add(k.ToText());
        }

        if (request.Rule is { } r)
        {
            parts.Add(r);
        }

        if (request.Query.Symbol is { } s)
        {
            parts.Add(s.Value);
        }

        return string.Join('-', parts) + "." + extension;
    }

    /// <summary>A page as JSON: each entry as the journal's JSONL export writes it (exact decimals, UTC times).</summary>
    private static string PageJson(JournalPage page)
    {
        return JsonText.Write(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("entries");
            foreach (var entry in page.Entries)
            {
                json.WriteRawValue(JournalExport.ToJsonLine(entry));
            }

            json.WriteEndArray();
            if (page.NextBeforeId is { } next)
            {
                json.WriteNumber("next_before_id", next);
            }
            else
            {
                json.WriteNull("next_before_id");
            }

            json.WriteEndObject();
        });
    }
}
