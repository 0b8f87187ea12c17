using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AiTrader.Core.Journal;
using AiTrader.Integration.Tests.Streaming;
using AiTrader.Storage;
using static AiTrader.Integration.Tests.Service.ServiceHost;

namespace AiTrader.Integration.Tests.Service;

/// <summary>Paper sessions on the live stream through the API (<c>"mode": "paper"</c>): the loop on the loopback Alpaca
/// stream (the fake speaks Alpaca's v2 WebSocket frames), at the paper broker, journaled; stopped by max_bars or a cancel,
/// and refused without keys. The same loop as <c>aitrader trade --paper</c> (the CLI's tests cover its fills).</summary>
public sealed class LiveSessionApiTests
{
    /// <summary>SPY and IBM minute bars of 2013-10-07 from the fake stream, and the service's variables pointing at it.</summary>
    private static async Task<(FakeAlpacaStream Fake, Dictionary<string, string> Environment)> StreamAsync(int minutes)
    {
        var fake = await StreamTestKit.StartSpyAndIbmAsync(minutes);
        return (fake, StreamTestKit.Environment(fake));
    }

    [Fact]
    public async Task A_paper_session_trades_the_live_stream_until_max_bars_and_journals_every_fill()
    {
        var (fake, environment) = await StreamAsync(90);
        await using var _ = fake;
        await using var host = await ServiceHost.StartAsync(new AiTrader.Service.ServiceOptions { PrometheusMetrics = true }, environment);
        using var trader = host.Client(host.TraderKey);
        var id = await SubmitAsync(trader, "/api/sessions", """
            {"mode":"paper","symbols":["SPY","IBM"],"strategy":"breakout","parameters":{"lookback":"5","atr_period":"5"},"max_bars":180}
            """);

        var job = await ServiceHost.FinishedJobAsync(trader, $"/api/sessions/{id}");
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var result = job.GetProperty("result");
        Assert.Equal("max_bars reached", result.GetProperty("stop_reason").GetString());
        Assert.Equal(180, result.GetProperty("stream_bars").GetInt32()); // both symbols' bars
        Assert.Equal(90, result.GetProperty("bars").GetInt32()); // the loop's minutes
        var fills = result.GetProperty("fills").GetInt32();
        Assert.True(fills > 0, "the breakout on 90 minutes of SPY and IBM trades");

        // Every fill is journaled under the session's run, and the book agrees.
        var runId = result.GetProperty("run_id").GetString()!;
        Assert.StartsWith("paper", runId, StringComparison.Ordinal);
        await using var journal = JournalFactory.Create(null, host.Settings.DataDir);
        var journaled = (await journal.QueryAsync(new JournalQuery(Kind: JournalKind.Fill)))
            .Count(e => e.EventKey?.StartsWith(runId + ":", StringComparison.Ordinal) == true);
        Assert.Equal(fills, journaled);
        var book = await trader.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/book");
        Assert.Equal(fills, book.GetProperty("fills").GetInt32());
        Assert.Contains(fake.ClientMessages, m => m.Contains("\"subscribe\"", StringComparison.Ordinal) && m.Contains("SPY", StringComparison.Ordinal));

        // The stream's lag and the journaled fills as metrics.
        using var reader = host.Client(host.ReadKey);
        var metrics = "";
        for (var i = 0; i < 100 && !metrics.Contains("aitrader_stream_lag", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            metrics = await reader.GetStringAsync("/metrics");
        }

        Assert.Contains("aitrader_stream_lag", metrics, StringComparison.Ordinal);
        Assert.Matches("aitrader_journal_entries_total\\{[^}]*kind=\"fill\"[^}]*\\} [1-9]", metrics);
    }

    [Fact]
    public async Task A_paper_session_runs_beside_backtests_and_a_cancel_stops_it_cleanly()
    {
        var (fake, environment) = await StreamAsync(60);
        await using var _ = fake;
        await using var host = await ServiceHost.StartAsync(environment: environment);
        using var trader = host.Client(host.TraderKey);
        var id = await SubmitAsync(trader, "/api/sessions", """{"mode":"paper","symbols":["SPY","IBM"]}""");
        await RunningSessionAsync(trader, id);

        // The session holds no job slot: a backtest submitted now runs to its end while the stream stays open.
        var backtestId = await SubmitAsync(trader, "/api/backtests", """{"symbol":"SPY","start":"2010-01-01","end":"2010-12-31"}""");
        Assert.Equal("succeeded", (await ServiceHost.FinishedJobAsync(trader, $"/api/backtests/{backtestId}")).GetProperty("state").GetString());
        Assert.Equal("running", (await trader.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}")).GetProperty("state").GetString());

        Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sessions/{id}")).StatusCode);
        var job = await ServiceHost.FinishedJobAsync(trader, $"/api/sessions/{id}");
        Assert.Equal("cancelled", job.GetProperty("state").GetString());
        // Stopped, its book (from the snapshot saved as it traded) is still there.
        var book = await trader.GetAsync($"/api/sessions/{id}/book");
        Assert.Equal(HttpStatusCode.OK, book.StatusCode);
    }

    [Fact]
    public async Task Paper_sessions_need_the_stream_keys_and_refuse_replay_only_fields()
    {
        await using var host = await ServiceHost.StartAsync();
        using var trader = host.Client(host.TraderKey);
        foreach (var (body, field) in new[]
        {
            ("""{"mode":"paper","symbols":["SPY"]}""", "mode"),
            ("""{"mode":"live","symbols":["SPY"]}""", "mode"),
            ("""{"mode":"paper","symbols":["SPY"],"from":"2013-10-07","to":"2013-10-11"}""", "from"),
            ("""{"mode":"paper","symbols":["SPY"],"interval":"5Min"}""", "interval"),
            ("""{"mode":"paper","symbols":["SPY"],"speed":"60"}""", "speed"),
            ("""{"mode":"paper","symbols":["SPY"],"max_bars":0}""", "max_bars"),
            ("""{"mode":"paper","symbols":["SPY"],"until":"tomorrow"}""", "until"),
            ("""{"symbols":["SPY"],"from":"2013-10-07","to":"2013-10-11","max_bars":10}""", "max_bars"),
        })
        {
            var response = await trader.PostAsync("/api/sessions", Json(body));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(field == problem.GetProperty("field").GetString(), $"{body}: {problem}");
        }

        var noKeys = await trader.PostAsync("/api/sessions", Json("""{"mode":"paper","symbols":["SPY"]}"""));
        Assert.Contains("APCA_API_KEY_ID", (await noKeys.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
