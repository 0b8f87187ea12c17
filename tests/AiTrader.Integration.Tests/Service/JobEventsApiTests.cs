using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static AiTrader.Integration.Tests.Service.ServiceHost;

namespace AiTrader.Integration.Tests.Service;

/// <summary>Server-sent events of a job: its state and progress as they change, a session's book as it trades, then the end.</summary>
public sealed class JobEventsApiTests
{
    /// <summary>Reads the stream until its <c>end</c> event (or <paramref name="stopWhen"/> says so), as (event, data) pairs.</summary>
    private static async Task<List<(string Event, JsonElement Data)>> ReadAsync(HttpClient client, string path,
        Func<List<(string Event, JsonElement Data)>, Task<bool>>? stopWhen = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<(string, JsonElement)>();
        string? name = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && name is not null)
            {
                events.Add((name, JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone()));
                if (name == "end" || (stopWhen is not null && await stopWhen(events)))
                {
                    break;
                }
            }
        }

        return events;
    }

    [Fact]
    public async Task A_backtest_streams_its_progress_to_the_end()
    {
        await using var host = await ServiceHost.StartAsync();
        using var trader = host.Client(host.TraderKey);
        var submitted = await trader.PostAsync("/api/backtests", Json("""{"symbol":"SPY","start":"2005-01-01"}"""));
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var events = await ReadAsync(trader, $"/api/backtests/{id}/events");
        Assert.Equal("end", events[^1].Event);
        var jobs = events.Where(e => e.Event == "job").Select(e => e.Data).ToList();
        Assert.Equal("succeeded", jobs[^1].GetProperty("state").GetString());
        var progress = jobs.Select(j => j.GetProperty("progress").GetDouble()).ToList();
        Assert.Equal(progress.Order().ToList(), progress); // never goes back
        Assert.Equal(1.0, progress[^1]);
        Assert.Equal(HttpStatusCode.NotFound, (await trader.GetAsync("/api/backtests/job_20991231000000000_00000000/events")).StatusCode);
    }

    [Fact]
    public async Task A_session_streams_its_book_as_it_trades_and_ends_when_stopped()
    {
        await using var host = await ServiceHost.StartAsync();
        using var trader = host.Client(host.TraderKey);
        using var reader = host.Client(host.ReadKey);
        var submitted = await trader.PostAsync("/api/sessions",
            Json("""{"symbols":["SPY","IBM","BAC"],"from":"2013-10-07","to":"2013-10-11","speed":"2000"}"""));
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var stopped = false;
        var events = await ReadAsync(reader, $"/api/sessions/{id}/events", async seen =>
        {
            // Once the book shows a fill, stop the session; the stream then ends on its own.
            if (!stopped && seen.Any(e => e.Event == "book" && e.Data.GetProperty("fills").GetInt32() > 0))
            {
                stopped = true;
                Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sessions/{id}")).StatusCode);
            }

            return false;
        });
        Assert.True(stopped, "no book event with a fill arrived");
        Assert.Equal("end", events[^1].Event);
        Assert.Equal("cancelled", events.Last(e => e.Event == "job").Data.GetProperty("state").GetString());
        var books = events.Where(e => e.Event == "book").Select(e => e.Data.GetProperty("fills").GetInt32()).ToList();
        Assert.Equal(books.Order().ToList(), books); // fills only accumulate
    }
}
