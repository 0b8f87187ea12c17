using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiTrader.MarketData.Streaming;
using AiTrader.Service;

namespace AiTrader.Integration.Tests.Service;

/// <summary><c>aitrader serve</c> over real HTTP on loopback: authentication, roles, problem documents, limits, OpenAPI.</summary>
public sealed class ServiceApiTests
{
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>())!;
    }

    [Fact]
    public async Task Liveness_is_open_and_everything_else_needs_a_valid_key()
    {
        await using var host = await ServiceHost.StartAsync();
        using var anonymous = host.Client();
        var live = await anonymous.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("live", (await live.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        foreach (var path in new[] { "/health/ready", "/api/strategies", "/openapi/v1.json" })
        {
            var refused = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            var problem = await ProblemAsync(refused);
            Assert.Equal(401, problem.GetProperty("status").GetInt32());
            Assert.Contains("aitrader apikey create", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // A revoked, altered or made-up key is refused like no key.
        using var forged = host.Client(host.ReadKey[..^1] + (host.ReadKey[^1] == 'A' ? 'B' : 'A'));
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/strategies")).StatusCode);
        using var junk = host.Client("not-a-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await junk.GetAsync("/api/strategies")).StatusCode);

        using var reader = host.Client(host.ReadKey);
        var strategies = await reader.GetFromJsonAsync<JsonElement>("/api/strategies");
        var breakout = strategies.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "breakout");
        Assert.Contains(breakout.GetProperty("parameters").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "lookback" && p.GetProperty("default").GetString() == "20");

        // X-Api-Key works as well as a bearer token.
        using var header = host.Client();
        header.DefaultRequestHeaders.Add("X-Api-Key", host.ReadKey);
        Assert.Equal(HttpStatusCode.OK, (await header.GetAsync("/api/strategies")).StatusCode);
    }

    [Fact]
    public async Task Every_mapped_endpoint_refuses_a_request_without_credentials_except_liveness()
    {
        await using var host = await ServiceHost.StartAsync();
        using var anonymous = host.Client();
        // The only endpoints open to a request without a key: liveness, and the webhook, which checks its own signature.
        var open = new Dictionary<string, HttpStatusCode> { ["GET /health/live"] = HttpStatusCode.OK, ["POST /webhooks/alerts"] = HttpStatusCode.ServiceUnavailable };
        // The dashboard's sign-in and its static files are open; its pages send a browser to the login page (this client
        // follows the redirect, so it ends on the login form: 200). Its data come from the API, closed as above.
        open["GET /login"] = HttpStatusCode.OK;
        open["POST /login"] = HttpStatusCode.BadRequest; // a JSON body, not the form: refused before any key is looked at
        open["POST /logout"] = HttpStatusCode.OK; // redirected to the login page
        open["GET /"] = HttpStatusCode.OK;
        open["GET /app"] = HttpStatusCode.OK;
        open["GET /app/assets/{**path}"] = HttpStatusCode.NotFound; // no file named "{**path}"
        foreach (var page in AiTrader.Service.Dashboard.DashboardEndpoints.Pages)
        {
            open[$"GET /app/{page}"] = HttpStatusCode.OK;
        }

        var seen = new List<string>();
        foreach (var (methods, pattern) in host.Routes)
        {
            // Route values that pass every route constraint; the request must be refused before it is looked at.
            var path = System.Text.RegularExpressions.Regex.Replace(pattern, "{([a-z_]+)[^}]*}", m => m.Groups[1].Value switch
            {
                "documentName" => "v1",
                "date" => "2013-10-07",
                _ => "j20261205t010203z-0123abcd",
            });
            foreach (var method in methods)
            {
                var name = $"{method} {pattern}";
                seen.Add(name);
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                }

                var response = await anonymous.SendAsync(request);
                var expected = open.GetValueOrDefault(name, HttpStatusCode.Unauthorized);
                Assert.True(expected == response.StatusCode, $"{name}: {(int)response.StatusCode}, expected {(int)expected}");
            }
        }

        // The table is the whole app: the jobs, sessions and their controls, market data, watchlists, journal, OpenAPI.
        Assert.True(seen.Count >= 30, string.Join(", ", seen));
        Assert.Contains("POST /api/backtests", seen);
        Assert.Contains("DELETE /api/sessions/{id}/kill-switch", seen);
        Assert.All(open.Keys, k => Assert.Contains(k, seen));
    }

    [Fact]
    public async Task Health_details_report_vendor_errors_the_stream_lag_and_recent_warnings_never_a_key()
    {
        // A scan schedule without the Alpaca keys: the live scan logs a warning as it starts.
        await using var host = await ServiceHost.StartAsync(new ServiceOptions { ScanSchedule = AiTrader.Core.Scanning.ScanSchedule.Premarket },
            new Dictionary<string, string> { ["FINNHUB_API_KEY"] = "finnhub-secret-value" });
        // The platform's metrics, as the vendor clients and the stream record them (the listener reads them by name).
        var vendor = "test-vendor-" + Guid.NewGuid().ToString("N")[..8];
        using (var meter = new System.Diagnostics.Metrics.Meter(AiTrader.Application.Telemetry.Name))
        {
            meter.CreateHistogram<double>("aitrader.vendor.request.duration").Record(0.25, new("vendor", vendor), new("status", 429));
            meter.CreateCounter<long>("aitrader.vendor.errors").Add(1, new("vendor", vendor), new("kind", "RateLimited"));
            meter.CreateHistogram<double>("aitrader.stream.lag").Record(7.5);
        }

        using var reader = host.Client(host.ReadKey);
        JsonElement details = default;
        for (var i = 0; i < 50; i++)
        {
            details = await reader.GetFromJsonAsync<JsonElement>("/health/details");
            if (details.GetProperty("recent_errors").GetArrayLength() > 0)
            {
                break;
            }

            await Task.Delay(100);
        }

        var text = details.GetRawText();
        Assert.DoesNotContain("finnhub-secret-value", text, StringComparison.Ordinal);
        var vendors = details.GetProperty("vendors").EnumerateArray().ToDictionary(v => v.GetProperty("vendor").GetString()!);
        Assert.True(vendors["finnhub"].GetProperty("keys_set").GetBoolean());
        Assert.False(vendors["alpaca"].GetProperty("keys_set").GetBoolean());
        var seen = vendors[vendor];
        Assert.Equal(1, seen.GetProperty("requests").GetInt64());
        Assert.Equal(429, seen.GetProperty("last_status").GetInt32());
        Assert.Equal(1, seen.GetProperty("errors").GetInt64());
        Assert.Equal("rate_limited", seen.GetProperty("last_error").GetProperty("kind").GetString());
        var stream = details.GetProperty("stream");
        Assert.True(stream.GetProperty("bars").GetInt64() >= 1);
        Assert.True(stream.GetProperty("max_lag_seconds").GetDouble() >= 7.5);
        var warning = Assert.Single(details.GetProperty("recent_errors").EnumerateArray(), e => e.GetProperty("message").GetString()!.Contains("no Alpaca keys", StringComparison.Ordinal));
        Assert.Equal("warning", warning.GetProperty("level").GetString());

        // Readiness reads the socket, not the bars: a bar counted without any socket open is no connection.
        var ready = await reader.GetFromJsonAsync<JsonElement>("/health/ready");
        Assert.Equal("off", ready.GetProperty("checks").GetProperty("stream").GetProperty("status").GetString());
        Assert.StartsWith("not started", ready.GetProperty("checks").GetProperty("stream").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Empty(stream.GetProperty("sockets").EnumerateArray());
    }

    [Fact]
    public void The_readiness_stream_check_reads_the_sockets_and_notes_the_last_live_bar()
    {
        var now = new DateTime(2026, 12, 7, 15, 0, 0, DateTimeKind.Utc);
        var noBars = new StreamActivity(0, null, null, 0, null);
        var connected = new StreamSocket(StreamSocketState.Connected, now.AddMinutes(-30));
        var reconnecting = new StreamSocket(StreamSocketState.Reconnecting, now.AddSeconds(-3), 3, 10, "alpaca stream: connection ended");
        var failed = new StreamSocket(StreamSocketState.Failed, now.AddMinutes(-1), 10, 10, "alpaca stream: connection refused");
        static (string, string) Check(ReadinessCheck c) => (c.Status, c.Reason);

        Assert.Equal(("off", "not started: no market-data socket is open (a paper or live session on the stream opens one)"),
            Check(HealthEndpoints.StreamCheck([], null, noBars, now)));
        Assert.Equal(("ok", "connected: since 2026-12-07T14:30:00Z; no live bar yet"), Check(HealthEndpoints.StreamCheck([connected], null, noBars, now)));
        Assert.Equal(("ok", "connected: since 2026-12-07T14:30:00Z; last live bar at 2026-12-07T14:55:00Z"),
            Check(HealthEndpoints.StreamCheck([connected], null, new StreamActivity(3, 0.4, now.AddMinutes(-5), 0.9, 0.5), now)));
        Assert.Equal(("ok", "connected: since 2026-12-07T14:30:00Z; no live bar since 2026-12-07T14:54:59Z (outside the session, or a quiet feed)"),
            Check(HealthEndpoints.StreamCheck([connected], failed, new StreamActivity(3, 0.4, now.AddMinutes(-5).AddSeconds(-1), 0.9, 0.5), now)));
        Assert.Equal(("warn", "reconnecting (2 sockets): attempt 3 of 10 since 2026-12-07T14:59:57Z, after: alpaca stream: connection ended"),
            Check(HealthEndpoints.StreamCheck([connected, reconnecting], null, noBars, now)));
        Assert.Equal(("warn", "connecting: since 2026-12-07T14:59:00Z"),
            Check(HealthEndpoints.StreamCheck([new StreamSocket(StreamSocketState.Connecting, now.AddMinutes(-1))], null, noBars, now)));
        Assert.Equal(("fail", "failed at 2026-12-07T14:59:00Z: gave up after 10 reconnect attempt(s); last error: alpaca stream: connection refused; " +
            "the session's job says how it ended, start it again once the stream is back"), Check(HealthEndpoints.StreamCheck([], failed, noBars, now)));
        Assert.False(HealthEndpoints.StreamCheck([], failed, noBars, now).Required);
    }

    [Fact]
    public async Task The_openapi_document_lists_the_endpoints()
    {
        await using var host = await ServiceHost.StartAsync();
        using var reader = host.Client(host.ReadKey);
        var doc = await reader.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.StartsWith("3.", doc.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        // Every mapped route with each of its methods, except the document itself.
        var documented = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}")).ToHashSet();
        var mapped = host.ApiRoutes
            .SelectMany(r => r.Methods.Select(m => $"{m} {r.Pattern}")).ToList();
        Assert.True(mapped.Count >= 30, string.Join(", ", mapped));
        Assert.DoesNotContain(mapped, m => !documented.Contains(m));
        Assert.Contains("POST /webhooks/alerts", documented);
        Assert.Contains("GET /api/backtests/{id}", documented);
    }

    [Fact]
    public async Task Unknown_paths_and_too_many_requests_get_problem_documents()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions { RequestsPerWindow = 5, MaxRequestBodyBytes = 1024 });
        using var reader = host.Client(host.ReadKey);
        var missing = await reader.GetAsync("/api/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(404, (await ProblemAsync(missing)).GetProperty("status").GetInt32());

        // Five requests per window per key (one made above): the sixth of this key is refused with a Retry-After...
        HttpResponseMessage last = null!;
        for (var i = 0; i < 5; i++)
        {
            last = await reader.GetAsync("/api/strategies");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        Assert.NotNull(last.Headers.RetryAfter);
        Assert.Contains("at most 5 requests", (await ProblemAsync(last)).GetProperty("detail").GetString(), StringComparison.Ordinal);

        // ...while another key has its own allowance.
        using var trader = host.Client(host.TraderKey);
        Assert.Equal(HttpStatusCode.OK, (await trader.GetAsync("/api/strategies")).StatusCode);
    }

    [Fact]
    public async Task Cors_is_closed_by_default()
    {
        await using var host = await ServiceHost.StartAsync();
        using var reader = host.Client(host.ReadKey);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/strategies");
        request.Headers.Add("Origin", "https://evil.example.com");
        var response = await reader.SendAsync(request);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Keys_never_reach_the_log()
    {
        await using var host = await ServiceHost.StartAsync();
        using (var reader = host.Client(host.ReadKey))
        {
            await reader.GetAsync("/api/strategies");
            await reader.GetAsync("/health/ready");
        }

        using (var forged = host.Client(host.TraderKey[..^2] + (host.TraderKey.EndsWith("xy", StringComparison.Ordinal) ? "yx" : "xy")))
        {
            await forged.GetAsync("/api/strategies");
        }

        var log = string.Join("\n", host.Logs);
        Assert.NotEmpty(host.Logs);
        Assert.DoesNotContain(host.ReadKey[^43..], log, StringComparison.Ordinal);
        Assert.DoesNotContain(host.TraderKey[^43..^2], log, StringComparison.Ordinal);
        Assert.Contains(host.TraderKey.Substring(4, 12), log, StringComparison.Ordinal); // the failed key is named by its id
    }
}
