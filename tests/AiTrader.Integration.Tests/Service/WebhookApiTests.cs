using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AiTrader.Integration.Tests.Service;

/// <summary>Alerts (TradingView style: the key in the body, no headers) engaging and releasing running sessions' kill switches.</summary>
public sealed class WebhookApiTests
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The key with its last character changed (to another base64url character, so it stays well formed).</summary>
    private static string Forged(string key) => key[..^1] + (key[^1] == 'Q' ? 'R' : 'Q');

    [Fact]
    public async Task An_alert_with_a_trader_key_in_its_body_engages_and_releases_every_running_session()
    {
        await using var host = await ServiceHost.StartAsync();
        using var trader = host.Client(host.TraderKey);
        using var anonymous = host.Client();
        var submitted = await trader.PostAsync("/api/sessions",
            Json("""{"symbols":["SPY","IBM"],"from":"2013-10-07","to":"2013-10-11","speed":"2000"}"""));
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var until = DateTime.UtcNow.AddSeconds(60);
        while ((await trader.GetAsync($"/api/sessions/{id}/guardrails")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < until, "the session never ran");
            await Task.Delay(50);
        }

        // Refused: no key, a read key, a forged key, a bad action, a missing reason, junk.
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await anonymous.PostAsync("/api/webhooks/alert", Json("""{"action":"kill_switch","session":"all","reason":"x"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await anonymous.PostAsync("/api/webhooks/alert", Json($$"""{"key":"{{host.ReadKey}}","action":"kill_switch","session":"all","reason":"x"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await anonymous.PostAsync("/api/webhooks/alert", Json($$"""{"key":"{{Forged(host.TraderKey)}}","action":"kill_switch","session":"all","reason":"x"}"""))).StatusCode);
        foreach (var (body, field) in new[]
        {
            ($$"""{"key":"{{host.TraderKey}}","action":"sell_everything","session":"all"}""", "action"),
            ($$"""{"key":"{{host.TraderKey}}","action":"kill_switch","session":"all"}""", "reason"),
            ($$"""{"key":"{{host.TraderKey}}","action":"kill_switch","session":"../x","reason":"r"}""", "session"),
        })
        {
            var bad = await anonymous.PostAsync("/api/webhooks/alert", Json(body));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal(field, (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.PostAsync("/api/webhooks/alert", Json("not json"))).StatusCode);

        var engaged = await anonymous.PostAsync("/api/webhooks/alert",
            Json($$"""{"key":"{{host.TraderKey}}","action":"kill_switch","session":"all","reason":"SPY fell 3% (TradingView)"}"""));
        Assert.Equal(HttpStatusCode.OK, engaged.StatusCode);
        Assert.Equal([id], (await engaged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sessions").EnumerateArray().Select(s => s.GetString()));
        var kill = (await trader.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/guardrails")).GetProperty("kill_switch");
        Assert.True(kill.GetProperty("engaged").GetBoolean());
        Assert.Equal("webhook (key trader)", kill.GetProperty("engaged_by").GetString());
        Assert.Equal("SPY fell 3% (TradingView)", kill.GetProperty("reason").GetString());

        var released = await anonymous.PostAsync("/api/webhooks/alert", Json($$"""{"key":"{{host.TraderKey}}","action":"release","session":"{{id}}"}"""));
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.False((await trader.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/guardrails")).GetProperty("kill_switch").GetProperty("engaged").GetBoolean());

        Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sessions/{id}")).StatusCode);
        // A session that is not running cannot be acted on by id.
        var job = await ServiceHost.FinishedJobAsync(trader, $"/api/sessions/{id}");

        Assert.Equal(HttpStatusCode.Conflict, (await anonymous.PostAsync("/api/webhooks/alert",
            Json($$"""{"key":"{{host.TraderKey}}","action":"release","session":"{{id}}"}"""))).StatusCode);

        // The key sent in the bodies is in no log line.
        Assert.DoesNotContain(host.TraderKey[^43..], string.Join("\n", host.Logs), StringComparison.Ordinal);
    }
}
