using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AiTrader.Core.Journal;
using AiTrader.Storage;
using static AiTrader.Integration.Tests.Service.ServiceHost;

namespace AiTrader.Integration.Tests.Service;

/// <summary>A running session's guardrail panel, kill switch and halt reset over HTTP.</summary>
public sealed class SessionControlApiTests
{
    [Fact]
    public async Task The_kill_switch_of_a_running_session_blocks_its_orders_until_released()
    {
        await using var host = await ServiceHost.StartAsync();
        using var trader = host.Client(host.TraderKey);
        using var reader = host.Client(host.ReadKey);
        // Paced at 2000x (30 ms a minute bar, about a minute for the week) so it is still running while the test acts
        // on it, even on a loaded machine; the test stops it when done.
        var id = await SubmitAsync(trader, "/api/sessions", """{"symbols":["SPY","IBM","BAC"],"from":"2013-10-07","to":"2013-10-11","speed":"2000"}""");
        var panel = await RunningSessionAsync(reader, id);
        var until = DateTime.UtcNow.AddSeconds(60);

        Assert.Contains("kill_switch", panel.GetProperty("rules").EnumerateArray().Select(r => r.GetString()));
        var live = await reader.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/book");
        Assert.Equal("running", live.GetProperty("state").GetString());
        Assert.False(panel.GetProperty("kill_switch").GetProperty("engaged").GetBoolean());

        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync($"/api/sessions/{id}/kill-switch", Json("""{"reason":"x"}"""))).StatusCode);
        var noReason = await trader.PostAsync($"/api/sessions/{id}/kill-switch", Json("{}"));
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal("reason", (await noReason.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());

        var reason = "runaway-test-" + Guid.NewGuid().ToString("N")[..8];
        var engaged = await trader.PostAsync($"/api/sessions/{id}/kill-switch", Json($$"""{"reason":"{{reason}}"}"""));
        Assert.Equal(HttpStatusCode.OK, engaged.StatusCode);
        var kill = (await engaged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("kill_switch");
        Assert.True(kill.GetProperty("engaged").GetBoolean());
        Assert.Equal("api key trader", kill.GetProperty("engaged_by").GetString());
        Assert.Equal(reason, kill.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await trader.PostAsync($"/api/sessions/{id}/reset-halt", null)).StatusCode); // no halt

        // While engaged, the strategy's next order is blocked and journaled with the switch's reason.
        await using (var journal = JournalFactory.Create(null, host.Settings.DataDir))
        {
            var blocked = false;
            while (!blocked)
            {
                Assert.True(DateTime.UtcNow < until.AddSeconds(30), "no order was blocked while the kill switch was engaged");
                await Task.Delay(200);
                blocked = (await journal.QueryAsync(new JournalQuery(Kind: JournalKind.Block)))
                    .Any(e => e.Reason.Contains(reason, StringComparison.Ordinal));
            }
        }

        var released = await trader.DeleteAsync($"/api/sessions/{id}/kill-switch");
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.False((await released.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("kill_switch").GetProperty("engaged").GetBoolean());

        // Stopping the session: cancelled, and its panel is gone with it.
        Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sessions/{id}")).StatusCode);
        var job = await ServiceHost.FinishedJobAsync(reader, $"/api/sessions/{id}");

        Assert.Equal("cancelled", job.GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await reader.GetAsync($"/api/sessions/{id}/guardrails")).StatusCode);
    }
}
