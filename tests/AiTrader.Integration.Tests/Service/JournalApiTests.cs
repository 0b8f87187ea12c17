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

    [Theory]
    [InlineData("kind=fills", "kind")]
    [InlineData("date=2024-13-01", "date")]
    [InlineData("symbol=$$$", "symbol")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("before_id=-3", "before_id")]
    public async Task A_bad_filter_is_a_problem_naming_its_field(string query, string field)
    {
        await using var host = await ServiceHost.StartAsync();
        using var reader = host.Client(host.ReadKey);
        var response = await reader.GetAsync("/api/journal?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }
}
