using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AiTrader.Integration.Tests.Service;

/// <summary>Signed alerts (<c>POST /webhooks/alerts</c>, HMAC-SHA256 of the raw body in X-Signature, X-Timestamp) acting
/// on a running replay session's kill switch through a real Kestrel server: the signature, the timestamp window, replays,
/// idempotent repeats, and the journal of every delivery. A refused delivery never touches the session.</summary>
public sealed class WebhookApiTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef-test-secret";

    private static readonly Dictionary<string, string> WithSecret = new() { ["AITRADER_WEBHOOK_SECRET"] = Secret };

    private static HttpRequestMessage Signed(string body, string secret = Secret, DateTimeOffset? at = null, Func<string, string>? tamper = null)
    {
        var signature = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/alerts")
        {
            Content = new StringContent(tamper?.Invoke(body) ?? body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Signature", signature);
        request.Headers.Add("X-Timestamp", (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        return request;
    }

    private static async Task<string> StartSessionAsync(ServiceHost host, HttpClient trader)
    {
        var submitted = await trader.PostAsync("/api/sessions", new StringContent(
            """{"symbols":["SPY","IBM"],"from":"2013-10-07","to":"2013-10-11","speed":"2000"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var until = DateTime.UtcNow.AddSeconds(60);
        while ((await trader.GetAsync($"/api/sessions/{id}/guardrails")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < until, "the session never ran");
            await Task.Delay(50);
        }

        return id;
    }

    private static async Task<JsonElement> KillSwitchAsync(HttpClient client, string id) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/guardrails")).GetProperty("kill_switch");

    private static async Task<List<string>> WebhookJournalAsync(HttpClient client)
    {
        var page = await client.GetFromJsonAsync<JsonElement>("/api/journal?kind=webhook&limit=500");
        return [.. page.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("reason").GetString()!).Reverse()];
    }

    [Fact]
    public async Task A_signed_alert_engages_and_releases_running_sessions_and_is_journaled()
    {
        await using var host = await ServiceHost.StartAsync(environment: WithSecret);
        using var trader = host.Client(host.TraderKey);
        using var anonymous = host.Client();
        var id = await StartSessionAsync(host, trader);

        var engaged = await anonymous.SendAsync(Signed("""{"id":"tv-1","action":"kill_switch","session":"all","reason":"SPY fell 3% (TradingView)"}"""));
        Assert.Equal(HttpStatusCode.OK, engaged.StatusCode);
        var answer = await engaged.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal([id], answer.GetProperty("sessions").EnumerateArray().Select(s => s.GetString()));
        Assert.False(answer.GetProperty("duplicate").GetBoolean());
        var kill = await KillSwitchAsync(trader, id);
        Assert.True(kill.GetProperty("engaged").GetBoolean());
        Assert.Equal("webhook", kill.GetProperty("engaged_by").GetString());
        Assert.Equal("SPY fell 3% (TradingView)", kill.GetProperty("reason").GetString());

        var released = await anonymous.SendAsync(Signed($$"""{"id":"tv-2","action":"release","session":"{{id}}"}"""));
        Assert.Equal(HttpStatusCode.OK, released.StatusCode);
        Assert.False((await KillSwitchAsync(trader, id)).GetProperty("engaged").GetBoolean());

        Assert.Equal(["accepted: kill_switch on all: SPY fell 3% (TradingView)", $"accepted: release on {id}"], await WebhookJournalAsync(trader));

        Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sessions/{id}")).StatusCode);
        await ServiceHost.FinishedJobAsync(trader, $"/api/sessions/{id}");
        // A session that is not running cannot be acted on by id; the refusal is journaled.
        var gone = await anonymous.SendAsync(Signed($$"""{"id":"tv-3","action":"release","session":"{{id}}"}"""));
        Assert.Equal(HttpStatusCode.Conflict, gone.StatusCode);
        Assert.Equal("refused (409): session not running", (await WebhookJournalAsync(trader))[^1]);

        // The secret is in no log line and no journal entry.
        var journal = await trader.GetStringAsync("/api/journal?kind=webhook&limit=500");
        Assert.DoesNotContain(Secret, journal, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, string.Join("\n", host.Logs), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsigned_forged_stale_and_malformed_deliveries_are_refused_journaled_and_never_reach_the_session()
    {
        await using var host = await ServiceHost.StartAsync(environment: WithSecret);
        using var trader = host.Client(host.TraderKey);
        using var anonymous = host.Client();
        var id = await StartSessionAsync(host, trader);
        const string Body = """{"id":"tv-9","action":"kill_switch","session":"all","reason":"halt"}""";

        var unsigned = new HttpRequestMessage(HttpMethod.Post, "/webhooks/alerts") { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        unsigned.Headers.Add("X-Timestamp", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        var noTimestamp = Signed(Body);
        noTimestamp.Headers.Remove("X-Timestamp");
        var malformed = Signed(Body);
        malformed.Headers.Remove("X-Signature");
        malformed.Headers.Add("X-Signature", "sha256=not-hex");
        // An API key is no substitute for the signature.
        var keyOnly = new HttpRequestMessage(HttpMethod.Post, "/webhooks/alerts") { Content = new StringContent(Body, Encoding.UTF8, "application/json") };
        keyOnly.Headers.Add("X-Api-Key", host.TraderKey);
        keyOnly.Headers.Add("X-Timestamp", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));

        var cases = new (HttpRequestMessage Request, HttpStatusCode Status, string Title, string? Field)[]
        {
            (unsigned, HttpStatusCode.Unauthorized, "bad signature", null),
            (keyOnly, HttpStatusCode.Unauthorized, "bad signature", null),
            (noTimestamp, HttpStatusCode.Unauthorized, "timestamp required", null),
            (malformed, HttpStatusCode.Unauthorized, "bad signature", null),
            (Signed(Body, secret: "another-secret-of-at-least-32-characters"), HttpStatusCode.Unauthorized, "bad signature", null),
            (Signed(Body, tamper: b => b.Replace("halt", "HALT", StringComparison.Ordinal)), HttpStatusCode.Unauthorized, "bad signature", null),
            (Signed(Body, at: DateTimeOffset.UtcNow.AddSeconds(-330)), HttpStatusCode.Unauthorized, "stale timestamp", null),
            (Signed(Body, at: DateTimeOffset.UtcNow.AddSeconds(330)), HttpStatusCode.Unauthorized, "stale timestamp", null),
            (Signed("""{"action":"kill_switch","session":"all","reason":"halt"}"""), HttpStatusCode.BadRequest, "bad alert", "id"),
            (Signed("""{"id":"tv-10","action":"sell_everything","session":"all"}"""), HttpStatusCode.BadRequest, "bad alert", "action"),
            (Signed("""{"id":"tv-11","action":"kill_switch","session":"all"}"""), HttpStatusCode.BadRequest, "bad alert", "reason"),
            (Signed("""{"id":"tv-12","action":"kill_switch","session":"../x","reason":"r"}"""), HttpStatusCode.BadRequest, "bad alert", "session"),
            (Signed("not json"), HttpStatusCode.BadRequest, "bad alert", null),
        };
        foreach (var (request, status, title, field) in cases)
        {
            var response = await anonymous.SendAsync(request);
            Assert.Equal(status, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(title, problem.GetProperty("title").GetString());
            if (field is not null)
            {
                Assert.Equal(field, problem.GetProperty("field").GetString());
            }
        }

        // Nothing reached the session, and every delivery is in the journal with its reason.
        Assert.False((await KillSwitchAsync(trader, id)).GetProperty("engaged").GetBoolean());
        var journal = await WebhookJournalAsync(trader);
        Assert.Equal(cases.Select(c => $"refused ({(int)c.Status}): {c.Title}"), journal);

        // The same body, signed and fresh, is accepted: the refusals above were about the delivery, not the alert.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(Signed(Body))).StatusCode);
        Assert.True((await KillSwitchAsync(trader, id)).GetProperty("engaged").GetBoolean());
        Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sessions/{id}")).StatusCode);
        await ServiceHost.FinishedJobAsync(trader, $"/api/sessions/{id}");
    }

    [Fact]
    public async Task A_replayed_or_repeated_alert_acts_once_and_a_reused_id_with_another_body_is_refused()
    {
        await using var host = await ServiceHost.StartAsync(environment: WithSecret);
        using var trader = host.Client(host.TraderKey);
        using var anonymous = host.Client();
        var id = await StartSessionAsync(host, trader);
        const string Engage = """{"id":"tv-20","action":"kill_switch","session":"all","reason":"halt"}""";
        const string Release = """{"id":"tv-21","action":"release","session":"all"}""";

        // Deliveries racing with the same signed body: exactly one acts.
        var racing = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => anonymous.SendAsync(Signed(Engage))));
        Assert.All(racing, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var answers = await Task.WhenAll(racing.Select(r => r.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.Single(answers, a => !a.GetProperty("duplicate").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.SendAsync(Signed(Release))).StatusCode);
        Assert.False((await KillSwitchAsync(trader, id)).GetProperty("engaged").GetBoolean());

        // The engage alert replayed later (fresh timestamp, same signed body) does not engage again.
        var replay = await anonymous.SendAsync(Signed(Engage));
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.True((await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("duplicate").GetBoolean());
        Assert.False((await KillSwitchAsync(trader, id)).GetProperty("engaged").GetBoolean());

        // Replayed with its old timestamp once the window has passed: refused before anything else.
        var stale = await anonymous.SendAsync(Signed(Engage, at: DateTimeOffset.UtcNow.AddMinutes(-10)));
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);

        // The same id with another body is a conflict, not a duplicate.
        var reused = await anonymous.SendAsync(Signed("""{"id":"tv-20","action":"kill_switch","session":"all","reason":"other"}"""));
        Assert.Equal(HttpStatusCode.Conflict, reused.StatusCode);
        Assert.Equal("id", (await reused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.False((await KillSwitchAsync(trader, id)).GetProperty("engaged").GetBoolean());

        var journal = await WebhookJournalAsync(trader);
        Assert.Single(journal, r => r.StartsWith("accepted: kill_switch", StringComparison.Ordinal));
        Assert.Equal(5, journal.Count(r => r == "duplicate of alert tv-20: not acted on again"));
        Assert.Contains("refused (401): stale timestamp", journal);
        Assert.Contains("refused (409): alert id reused", journal);
        Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sessions/{id}")).StatusCode);
        await ServiceHost.FinishedJobAsync(trader, $"/api/sessions/{id}");
    }

    [Fact]
    public async Task Without_a_secret_webhooks_are_off_and_say_how_to_turn_them_on()
    {
        await using var host = await ServiceHost.StartAsync();
        using var anonymous = host.Client();
        var response = await anonymous.SendAsync(Signed("""{"id":"a","action":"release","session":"all"}"""));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("set AITRADER_WEBHOOK_SECRET", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(),
            StringComparison.Ordinal);

        // A secret too short to be one is refused when the service is built.
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            ServiceHost.StartAsync(environment: new Dictionary<string, string> { ["AITRADER_WEBHOOK_SECRET"] = "short" }));
        Assert.Contains("at least 32 characters", error.Message, StringComparison.Ordinal);
    }
}
