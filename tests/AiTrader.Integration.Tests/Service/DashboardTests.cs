using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Service.Dashboard;
using AiTrader.Storage.Security;

namespace AiTrader.Integration.Tests.Service;

/// <summary>The dashboard through the real service on loopback: browser sign-in with an API key, the session cookie on
/// the API (roles, anti-CSRF header, sign-out, revocation), the pages and the embedded assets.</summary>
public sealed class DashboardTests
{
    private const string Csrf = "aitrader-dashboard";

    /// <summary>A client that neither follows redirects nor keeps cookies: each test sends the cookie it means to.</summary>
    private static HttpClient Raw(ServiceHost host) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    private static async Task<HttpResponseMessage> LoginAsync(HttpClient client, string key, string? returnTo = null)
    {
        var fields = new Dictionary<string, string> { ["key"] = key };
        if (returnTo is not null)
        {
            fields["return"] = returnTo;
        }

        return await client.PostAsync("/login", new FormUrlEncodedContent(fields));
    }

    /// <summary>Signs in and returns the "name=value" of the session cookie.</summary>
    private static async Task<string> CookieAsync(HttpClient client, string key)
    {
        using var response = await LoginAsync(client, key);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(DashboardAuthentication.CookieName + "=", StringComparison.Ordinal));
        return setCookie.Split(';')[0];
    }

    private static HttpRequestMessage With(HttpMethod method, string path, string cookie, bool csrf = false, object? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", cookie);
        if (csrf)
        {
            request.Headers.Add("X-Requested-With", Csrf);
        }

        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }

        return request;
    }

    [Fact]
    public async Task Login_sets_an_http_only_strict_cookie_without_the_key_and_the_cookie_works_on_the_api()
    {
        await using var host = await ServiceHost.StartAsync();
        using var client = Raw(host);

        using var login = await LoginAsync(client, host.TraderKey, "/app/backtests?x=1");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/app/backtests?x=1", login.Headers.Location!.OriginalString);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        var attributes = setCookie.Split(';').Select(a => a.Trim().ToLowerInvariant()).ToList();
        Assert.StartsWith(DashboardAuthentication.CookieName + "=", setCookie, StringComparison.Ordinal);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);
        Assert.Contains("path=/", attributes);
        Assert.DoesNotContain("secure", attributes); // plain http on loopback; https gets Secure (SameAsRequest)
        Assert.DoesNotContain(host.TraderKey["ait_0123456789ab_".Length..], setCookie, StringComparison.Ordinal); // the whole secret (it may hold '_')
        var cookie = setCookie.Split(';')[0];

        // The cookie signs API requests in, as the trader key would.
        using var strategies = await client.SendAsync(With(HttpMethod.Get, "/api/strategies", cookie));
        Assert.Equal(HttpStatusCode.OK, strategies.StatusCode);
        using var me = await client.SendAsync(With(HttpMethod.Get, "/app/me", cookie));
        var who = await me.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("trader", who.GetProperty("role").GetString());
        Assert.Equal("cookie", who.GetProperty("via").GetString());
        Assert.Equal(host.TraderKey.Split('_')[1], who.GetProperty("id").GetString());
        using var ready = await client.SendAsync(With(HttpMethod.Get, "/health/ready", cookie));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        // A trader cookie with the anti-CSRF header acts: a backtest is accepted, and the kill-switch route gets past
        // the trader policy to the session lookup (no such running session: 409, not 401 or 403).
        using var submit = await client.SendAsync(With(HttpMethod.Post, "/api/backtests", cookie, csrf: true,
            json: new { symbol = "SPY", start = "2019-01-01", end = "2019-06-30" }));
        Assert.Equal(HttpStatusCode.Accepted, submit.StatusCode);
        using var kill = await client.SendAsync(With(HttpMethod.Post, "/api/sessions/job_20261205015327678_c46b69a9/kill-switch", cookie, csrf: true,
            json: new { reason = "test" }));
        Assert.Equal(HttpStatusCode.Conflict, kill.StatusCode);

        // The sign-in is logged by key id, never with the key.
        Assert.Contains(host.Logs, l => l.Contains($"dashboard sign-in by API key {host.TraderKey.Split('_')[1]} (trader)", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Logs, l => l.Contains(host.TraderKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_bad_key_at_login_is_refused_with_a_message_and_no_cookie()
    {
        await using var host = await ServiceHost.StartAsync();
        using var client = Raw(host);
        var (id, unknown) = ApiKeyToken.Generate();

        foreach (var (key, message) in new[]
                 {
                     ("not-a-key", "That is not an API key"),
                     (unknown, $"API key {id} is unknown or revoked"),
                     (host.ReadKey[..^1] + (host.ReadKey[^1] == 'A' ? 'B' : 'A'), $"API key {host.ReadKey.Split('_')[1]} is unknown or revoked"),
                 })
        {
            using var response = await LoginAsync(client, key);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.False(response.Headers.Contains("Set-Cookie"));
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains(message, html, StringComparison.Ordinal);
            Assert.Contains("role=\"alert\"", html, StringComparison.Ordinal);
        }

        using var empty = await LoginAsync(client, "");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("Paste an API key", await empty.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(host.Logs, l => l.Contains(unknown, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_read_only_cookie_sees_but_cannot_submit_a_backtest_or_touch_a_kill_switch()
    {
        await using var host = await ServiceHost.StartAsync();
        using var client = Raw(host);
        var cookie = await CookieAsync(client, host.ReadKey);

        using var list = await client.SendAsync(With(HttpMethod.Get, "/api/backtests", cookie));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        using var submit = await client.SendAsync(With(HttpMethod.Post, "/api/backtests", cookie, csrf: true, json: new { symbol = "SPY" }));
        Assert.Equal(HttpStatusCode.Forbidden, submit.StatusCode);
        Assert.Equal("trader role required", (await submit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        using var engage = await client.SendAsync(With(HttpMethod.Post, "/api/sessions/job_20261205015327678_c46b69a9/kill-switch", cookie, csrf: true,
            json: new { reason = "test" }));
        Assert.Equal(HttpStatusCode.Forbidden, engage.StatusCode);
        using var release = await client.SendAsync(With(HttpMethod.Delete, "/api/sessions/job_20261205015327678_c46b69a9/kill-switch", cookie, csrf: true));
        Assert.Equal(HttpStatusCode.Forbidden, release.StatusCode);
        using var reset = await client.SendAsync(With(HttpMethod.Post, "/api/sessions/job_20261205015327678_c46b69a9/reset-halt", cookie, csrf: true));
        Assert.Equal(HttpStatusCode.Forbidden, reset.StatusCode);

        using var after = await client.SendAsync(With(HttpMethod.Get, "/api/backtests", cookie));
        Assert.Empty((await after.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobs").EnumerateArray());
    }

    [Fact]
    public async Task A_cookie_request_that_changes_state_needs_the_anti_csrf_header_and_the_same_site()
    {
        await using var host = await ServiceHost.StartAsync();
        using var client = Raw(host);
        var cookie = await CookieAsync(client, host.TraderKey);

        using var bare = await client.SendAsync(With(HttpMethod.Post, "/api/backtests", cookie, json: new { symbol = "SPY" }));
        Assert.Equal(HttpStatusCode.Forbidden, bare.StatusCode);
        var problem = await bare.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("anti-CSRF header required", problem.GetProperty("title").GetString());

        using var wrong = With(HttpMethod.Delete, "/api/sessions/job_20261205015327678_c46b69a9/kill-switch", cookie);
        wrong.Headers.Add("X-Requested-With", "XMLHttpRequest");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(wrong)).StatusCode);

        using var crossSite = With(HttpMethod.Post, "/api/backtests", cookie, csrf: true, json: new { symbol = "SPY" });
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var crossAnswer = await client.SendAsync(crossSite);
        Assert.Equal(HttpStatusCode.Forbidden, crossAnswer.StatusCode);
        Assert.Equal("cross-site request", (await crossAnswer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());

        using var otherOrigin = With(HttpMethod.Post, "/api/backtests", cookie, csrf: true, json: new { symbol = "SPY" });
        otherOrigin.Headers.Add("Origin", "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(otherOrigin)).StatusCode);

        // Nothing was submitted by the refused requests.
        using var list = await client.SendAsync(With(HttpMethod.Get, "/api/backtests", cookie));
        Assert.Empty((await list.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobs").EnumerateArray());

        // A cross-site form posting a key to /login is refused too.
        using var form = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = host.TraderKey }) };
        form.Headers.Add("Sec-Fetch-Site", "cross-site");
        using var formAnswer = await client.SendAsync(form);
        Assert.Equal(HttpStatusCode.Forbidden, formAnswer.StatusCode);
        Assert.False(formAnswer.Headers.Contains("Set-Cookie"));

        // Scripts with an API key are not affected (no cookie, no header needed).
        using var keyed = host.Client(host.TraderKey);
        Assert.Equal(HttpStatusCode.Accepted, (await keyed.PostAsJsonAsync("/api/backtests", new { symbol = "SPY", start = "2019-01-01", end = "2019-03-31" })).StatusCode);
    }

    [Fact]
    public async Task Logout_clears_the_cookie_and_ends_the_session_even_for_a_kept_copy()
    {
        await using var host = await ServiceHost.StartAsync();
        using var client = Raw(host);
        var cookie = await CookieAsync(client, host.ReadKey);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(With(HttpMethod.Get, "/api/strategies", cookie))).StatusCode);

        using var logout = await client.SendAsync(With(HttpMethod.Post, "/logout", cookie));
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal("/login?signed_out=1", logout.Headers.Location!.OriginalString);
        var cleared = Assert.Single(logout.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith(DashboardAuthentication.CookieName + "=;", cleared, StringComparison.Ordinal);
        Assert.Contains("expires=Thu, 01 Jan 1970", cleared, StringComparison.OrdinalIgnoreCase);

        // The old cookie value, replayed, no longer signs anything in.
        using var replay = await client.SendAsync(With(HttpMethod.Get, "/api/strategies", cookie));
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        using var page = await client.SendAsync(With(HttpMethod.Get, "/app/journal", cookie));
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/login", page.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_keys_cookie_stops_working_at_once()
    {
        await using var host = await ServiceHost.StartAsync();
        using var client = Raw(host);
        var cookie = await CookieAsync(client, host.TraderKey);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(With(HttpMethod.Get, "/api/strategies", cookie))).StatusCode);

        await using (var keys = ApiKeyStoreFactory.Create(null, host.Settings.DataDir))
        {
            Assert.True(await keys.RevokeAsync(host.TraderKey.Split('_')[1]));
        }

        using var api = await client.SendAsync(With(HttpMethod.Get, "/api/strategies", cookie));
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        using var submit = await client.SendAsync(With(HttpMethod.Post, "/api/backtests", cookie, csrf: true, json: new { symbol = "SPY" }));
        Assert.Equal(HttpStatusCode.Unauthorized, submit.StatusCode);
        using var page = await client.SendAsync(With(HttpMethod.Get, "/app/chart", cookie));
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains(host.Logs, l => l.Contains($"dashboard session of API key {host.TraderKey.Split('_')[1]} ended", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_page_is_served_to_a_signed_in_browser_and_sends_others_to_the_login_page()
    {
        await using var host = await ServiceHost.StartAsync();
        using var client = Raw(host);
        var cookie = await CookieAsync(client, host.ReadKey);
        Assert.Equal(["chart", "backtests", "backtest", "sweep", "compare", "scans", "trading", "journal", "health"], DashboardEndpoints.Pages);

        foreach (var page in DashboardEndpoints.Pages)
        {
            using var anonymous = await client.GetAsync($"/app/{page}?symbol=SPY");
            Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
            Assert.Equal($"/login?return={Uri.EscapeDataString($"/app/{page}?symbol=SPY")}", anonymous.Headers.Location!.OriginalString);

            // An API key header is not a browser sign-in: pages need the cookie.
            using var keyOnly = new HttpRequestMessage(HttpMethod.Get, $"/app/{page}");
            keyOnly.Headers.Add("X-Api-Key", host.ReadKey);
            Assert.Equal(HttpStatusCode.Redirect, (await client.SendAsync(keyOnly)).StatusCode);

            using var signedIn = await client.SendAsync(With(HttpMethod.Get, $"/app/{page}", cookie));
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
            Assert.Equal("text/html", signedIn.Content.Headers.ContentType!.MediaType);
            var html = await signedIn.Content.ReadAsStringAsync();
            Assert.Contains($"/app/assets/{page}.js", html, StringComparison.Ordinal);
            Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
            Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
            Assert.Contains("default-src 'self'", signedIn.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        }

        using var root = await client.GetAsync("/");
        Assert.Equal("/app/chart", root.Headers.Location!.OriginalString);
        using var login = await client.GetAsync("/login?return=/app/journal");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var form = await login.Content.ReadAsStringAsync();
        Assert.Contains("name=\"key\"", form, StringComparison.Ordinal);
        Assert.Contains("value=\"/app/journal\"", form, StringComparison.Ordinal);

        // After sign-in the browser goes back where it was going, but never to another site.
        foreach (var (target, expected) in new[] { ("/app/trading?id=x", "/app/trading?id=x"), ("https://evil.example/", "/app/chart"), ("//evil.example/app/", "/app/chart"), ("/app/..\\x", "/app/chart") })
        {
            using var back = await LoginAsync(client, host.ReadKey, target);
            Assert.Equal(expected, back.Headers.Location!.OriginalString);
        }
    }

    [Fact]
    public async Task Pages_and_assets_do_not_use_up_the_keys_requests_per_minute()
    {
        await using var host = await ServiceHost.StartAsync(new AiTrader.Service.ServiceOptions { RequestsPerWindow = 5 });
        using var client = Raw(host);
        var cookie = await CookieAsync(client, host.ReadKey);
        // A person clicking through pages: each loads its page and assets (the browser test used to run out at 300 a minute).
        for (var i = 0; i < 8; i++)
        {
            foreach (var path in new[] { "/app/scans", "/app/assets/app.js", "/app/assets/app.css", "/app/assets/vendor/lightweight-charts.standalone.production.js" })
            {
                using var response = await client.SendAsync(With(HttpMethod.Get, path, cookie));
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} #{i}: {(int)response.StatusCode}");
            }
        }

        // The API still counts: five requests a window for this key.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.SendAsync(With(HttpMethod.Get, "/api/strategies", cookie));
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task The_assets_and_the_vendored_chart_library_with_its_licence_are_served_with_their_content_types()
    {
        await using var host = await ServiceHost.StartAsync();
        using var client = Raw(host);
        var expected = new Dictionary<string, string>
        {
            ["/app/assets/app.js"] = "text/javascript",
            ["/app/assets/chart.js"] = "text/javascript",
            ["/app/assets/chartdata.js"] = "text/javascript",
            ["/app/assets/backtests.js"] = "text/javascript",
            ["/app/assets/backtest.js"] = "text/javascript",
            ["/app/assets/trading.js"] = "text/javascript",
            ["/app/assets/journal.js"] = "text/javascript",
            ["/app/assets/health.js"] = "text/javascript",
            ["/app/assets/scans.js"] = "text/javascript",
            ["/app/assets/sweep.js"] = "text/javascript",
            ["/app/assets/compare.js"] = "text/javascript",
            ["/app/assets/performance.js"] = "text/javascript",
            ["/app/assets/theme.js"] = "text/javascript",
            ["/app/assets/app.css"] = "text/css",
            ["/app/assets/favicon.svg"] = "image/svg+xml",
            ["/app/assets/vendor/lightweight-charts.standalone.production.js"] = "text/javascript",
            ["/app/assets/vendor/lightweight-charts.LICENSE.txt"] = "text/plain",
        };
        foreach (var (path, type) in expected)
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 100, path);

            // Revalidation by ETag.
            using var again = new HttpRequestMessage(HttpMethod.Get, path);
            again.Headers.TryAddWithoutValidation("If-None-Match", response.Headers.ETag!.Tag);
            Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
        }

        var library = await client.GetStringAsync("/app/assets/vendor/lightweight-charts.standalone.production.js");
        Assert.Contains("LightweightCharts", library, StringComparison.Ordinal);
        Assert.Contains("createChart", library, StringComparison.Ordinal);
        Assert.Contains("Apache License", await client.GetStringAsync("/app/assets/vendor/lightweight-charts.LICENSE.txt"), StringComparison.Ordinal);

        // The served copy is the committed vendored file, whose version package.json pins.
        var repo = TestPaths.RepoRoot;
        var dashboard = Path.Combine(repo, "src", "AiTrader.Service", "Dashboard");
        Assert.Equal(File.ReadAllText(Path.Combine(dashboard, "wwwroot", "assets", "vendor", "lightweight-charts.standalone.production.js")), library);
        var pinned = JsonDocument.Parse(File.ReadAllText(Path.Combine(dashboard, "package.json"))).RootElement.GetProperty("dependencies").GetProperty("lightweight-charts").GetString();
        Assert.Contains($"lightweight-charts {pinned} ", File.ReadAllText(Path.Combine(dashboard, "wwwroot", "assets", "vendor", "VERSIONS.txt")), StringComparison.Ordinal);

        using var missing = await client.GetAsync("/app/assets/nope.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var traversal = await client.GetAsync("/app/assets/..%2Fpages%2Flogin.html");
        Assert.Equal(HttpStatusCode.NotFound, traversal.StatusCode);
    }
}
