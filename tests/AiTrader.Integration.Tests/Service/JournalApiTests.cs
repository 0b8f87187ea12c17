using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiTrader.Core.Domain;
using AiTrader.Core.Journal;
using AiTrader.Storage;

namespace AiTrader.Integration.Tests.Service;

/// <summary><c>GET /api/journal</c>: filters, newest-first paging with a cursor, exact values, errors naming the field.</summary>
public sealed class JournalApiTests
{
    [Fact]
    public async Task Journal_pages_newest_first_with_filters_and_exact_values()
    {
        await using var host = await ServiceHost.StartAsync();
        await using (var journal = JournalFactory.Create(null, host.Settings.DataDir))
        {
            for (var i = 0; i < 7; i++)
            {
                // 2024-07-03 14:00Z + i hours: the last two (00:00Z and 01:00Z on the 4th) are still the 3rd in New York.
                var time = new DateTime(2024, 7, 3, 14 + i, 0, 0, DateTimeKind.Utc);
                await journal.AppendAsync(new JournalEntry(0, time, i % 2 == 0 ? JournalKind.Order : JournalKind.Fill, i < 5 ? "SPY" : "IBM",
                    OrderSide.Buy, 10m, 545.10m + i, $"o-{i}", null, $"entry {i}", null));
            }

            await journal.AppendAsync(JournalEntry.Create(new DateTime(2024, 7, 5, 15, 0, 0, DateTimeKind.Utc), JournalKind.Summary, "next day"));
        }

        using var reader = host.Client(host.ReadKey);
        var first = await reader.GetFromJsonAsync<JsonElement>("/api/journal?date=2024-07-03&limit=3");
        var ids = first.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Equal([7L, 6, 5], ids);
        Assert.Equal(5, first.GetProperty("next_before_id").GetInt64());
        Assert.Equal("551.10", first.GetProperty("entries")[0].GetProperty("price").GetRawText()); // exact, scale kept

        var second = await reader.GetFromJsonAsync<JsonElement>("/api/journal?date=2024-07-03&limit=3&before_id=5");
        Assert.Equal([4L, 3, 2], second.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
        var last = await reader.GetFromJsonAsync<JsonElement>("/api/journal?date=2024-07-03&limit=3&before_id=2");
        Assert.Equal([1L], last.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
        Assert.Equal(JsonValueKind.Null, last.GetProperty("next_before_id").ValueKind);

        var fills = await reader.GetFromJsonAsync<JsonElement>("/api/journal?kind=fill&symbol=SPY");
        Assert.Equal([4L, 2], fills.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetInt64()));
        var all = await reader.GetFromJsonAsync<JsonElement>("/api/journal");
        Assert.Equal(8, all.GetProperty("entries").GetArrayLength());
    }

    [Fact]
    public async Task A_runs_orders_and_trades_come_from_its_journal_entries_as_a_backtests_csv_files()
    {
        await using var host = await ServiceHost.StartAsync();
        var at = new DateTime(2013, 10, 7, 14, 30, 0, DateTimeKind.Utc);
        await using (var journal = JournalFactory.Create(null, host.Settings.DataDir))
        {
            // A stop placed, moved once and filled, as the journal outbox writes them; another run's order beside it.
            var stop = new Order("s-1", "SPY", OrderSide.Sell, 10m, OrderType.Stop, at, StopPrice: 168.5m, Reason: "protective stop");
            await journal.AppendAsync(JournalingAgent.OrderEntry(stop, null, "replay-1:order:s-1"));
            await journal.AppendAsync(JournalingAgent.OrderEntry(stop with { StopPrice = 169.25m, CreatedAt = at.AddMinutes(5) }, null,
                "replay-1:amend:s-1:2013-10-07T14:35:00Z"));
            await journal.AppendAsync(JournalingAgent.FillEntry(new Fill("s-1", "SPY", OrderSide.Sell, 10m, 169.25m, 0m, at.AddMinutes(9)), null, null,
                "stop", "replay-1:fill:s-1:x1"));
            await journal.AppendAsync(JournalingAgent.OrderEntry(stop with { Id = "other" }, null, "replay-2:order:other"));
        }

        using var reader = host.Client(host.ReadKey);
        var orders = await reader.GetStringAsync("/api/runs/replay-1/orders.csv?symbol=SPY");
        Assert.Equal(
            "order_id,created_at,side,type,quantity,limit_price,stop_price,filled_quantity,average_fill_price,status,stop_moves,last_stop_price,reason,symbol,cancel_reason,stop_path\n" +
            "s-1,2013-10-07T14:30:00Z,sell,stop,10,,168.5,10,169.25,filled,1,169.25,protective stop,SPY,,2013-10-07T14:35:00Z 169.25\n",
            orders);
        // The fill closes nothing this run opened: no round trip.
        Assert.Equal("symbol,side,quantity,entry_time,entry_price,exit_time,exit_price,pnl,fees,exit_reason\n",
            await reader.GetStringAsync("/api/runs/replay-1/trades.csv"));
        // Another symbol: header only; a run id that is not one: 400 naming the field.
        Assert.Single((await reader.GetStringAsync("/api/runs/replay-1/orders.csv?symbol=IBM")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var bad = await reader.GetAsync("/api/runs/..%2Fetc/orders.csv");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("run", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Blocks_filter_by_rule_count_by_rule_and_every_match_exports_as_csv_or_jsonl()
    {
        await using var host = await ServiceHost.StartAsync();
        var day = new DateTime(2024, 7, 3, 14, 0, 0, DateTimeKind.Utc);
        await using (var journal = JournalFactory.Create(null, host.Settings.DataDir))
        {
            await journal.AppendAsync(new JournalEntry(0, day, JournalKind.Order, "SPY", OrderSide.Buy, 10m, 545.10m, "o-1", null, "entry, with a comma", null));
            // The deciding rule is the data's rule (the first block); a second broken rule does not make it a pdt block.
            await journal.AppendAsync(new JournalEntry(0, day.AddMinutes(1), JournalKind.Block, "SPY", OrderSide.Buy, 10m, 545.20m, null, null,
                "kill_switch: engaged by ops", """{"rule":"kill_switch","blocks":[{"rule":"kill_switch"},{"rule":"pdt"}]}"""));
            await journal.AppendAsync(new JournalEntry(0, day.AddMinutes(2), JournalKind.Block, "IBM", OrderSide.Sell, 5m, 182.00m, null, null,
                "pdt: 3 day trades in 5 sessions", """{"rule":"pdt"}"""));
            await journal.AppendAsync(new JournalEntry(0, day.AddMinutes(3), JournalKind.Block, "SPY", OrderSide.Buy, 1m, 545.30m, null, null,
                "pdt: 3 day trades in 5 sessions", """{"rule":"pdt"}"""));
            await journal.AppendAsync(new JournalEntry(0, day.AddDays(1), JournalKind.Block, "SPY", OrderSide.Buy, 1m, 546m, null, null,
                "rate: 61 orders in a minute", null));
        }

        using var reader = host.Client(host.ReadKey);
        static List<long> Ids(JsonElement page) => [.. page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetInt64())];
        Assert.Equal([4L, 3], Ids(await reader.GetFromJsonAsync<JsonElement>("/api/journal?rule=pdt")));
        Assert.Equal([4L], Ids(await reader.GetFromJsonAsync<JsonElement>("/api/journal?rule=PDT&symbol=SPY&kind=block")));
        Assert.Equal([5L], Ids(await reader.GetFromJsonAsync<JsonElement>("/api/journal?rule=rate"))); // from the reason, no data
        Assert.Equal([2L], Ids(await reader.GetFromJsonAsync<JsonElement>("/api/journal?rule=kill_switch&date=2024-07-03")));

        var rules = await reader.GetFromJsonAsync<JsonElement>("/api/journal/rules?date=2024-07-03");
        var counts = rules.GetProperty("rules").EnumerateArray().ToDictionary(r => r.GetProperty("rule").GetString()!, r => r.GetProperty("blocks").GetInt32());
        Assert.Equal(AiTrader.Core.Risk.GuardrailCatalog.Names, counts.Keys);
        Assert.Equal(2, counts["pdt"]);
        Assert.Equal(1, counts["kill_switch"]);
        Assert.Equal(0, counts["rate"]); // the next day

        // The export: every match, oldest first, as a download named after the filter; the CLI export's columns.
        var csv = await reader.GetAsync("/api/journal/export?format=csv&date=2024-07-03");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("journal-2024-07-03.csv", csv.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var lines = (await csv.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        Assert.Equal(JournalExport.CsvHeader, lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.Contains("\"entry, with a comma\"", lines[1], StringComparison.Ordinal);
        var jsonl = await reader.GetAsync("/api/journal/export?format=jsonl&rule=pdt");
        Assert.Equal("journal-pdt.jsonl", jsonl.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var exported = (await jsonl.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n').Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetInt64());
        Assert.Equal([3L, 4], exported);
    }

    [Theory]
    [InlineData("kind=fills", "kind")]
    [InlineData("date=2024-13-01", "date")]
    [InlineData("symbol=$$$", "symbol")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("before_id=-3", "before_id")]
    [InlineData("rule=vibes", "rule")]
    [InlineData("rule=pdt&kind=fill", "rule")]
    [InlineData("/export?format=xlsx", "format")]
    [InlineData("/export?rule=nope", "rule")]
    [InlineData("/rules?date=someday", "date")]
    public async Task A_bad_filter_is_a_problem_naming_its_field(string query, string field)
    {
        await using var host = await ServiceHost.StartAsync();
        using var reader = host.Client(host.ReadKey);
        var response = await reader.GetAsync("/api/journal" + (query.StartsWith('/') ? query : "?" + query));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }
}
