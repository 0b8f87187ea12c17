using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AiTrader.Integration.Tests.Storage;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Storage.Jobs;
using AiTrader.Storage.Security;
using Microsoft.Data.Sqlite;

namespace AiTrader.Integration.Tests.Service;

/// <summary><c>aitrader serve</c> as a real process: it starts, serves, and on SIGTERM stops cleanly, leaving no job
/// half-recorded.</summary>
public sealed class ServeProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aitrader-serve-process-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Sigterm_stops_the_service_cleanly_with_every_job_finished_in_the_store()
    {
        var dataDir = Path.Combine(_root, "data");
        await using var serve = await ServeProcess.StartAsync(_root);
        var client = serve.Client;
        var timeout = serve.Timeout;
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var submitted = await client.PostAsync("/api/backtests",
                new StringContent("""{"symbol":"SPY","start":"1998-01-01"}""", Encoding.UTF8, "application/json"), timeout.Token);
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            ids.Add((await submitted.Content.ReadFromJsonAsync<JsonElement>(timeout.Token)).GetProperty("id").GetString()!);
        }

        await serve.StopWithSigtermAsync();

        // Every job ended in a finished state (none left queued or running); a cancelled one says why.
        await using var jobs = JobStoreFactory.Create(null, dataDir);
        foreach (var id in ids)
        {
            var job = await jobs.GetAsync(id, timeout.Token);
            Assert.NotNull(job);
            Assert.True(job.IsFinished, $"{id} is {job.State}");
            Assert.True(job.State is JobState.Succeeded or JobState.Cancelled, $"{id}: {job.State} {job.Error}");
            if (job.State == JobState.Cancelled)
            {
                Assert.Equal("service stopped", job.Error);
            }
        }
    }

    [Fact]
    public async Task The_first_start_of_an_empty_key_store_prints_a_trader_key_and_later_starts_print_none()
    {
        string key;
        await using (var serve = await ServeProcess.StartAsync(_root, firstStart: true))
        {
            Assert.Matches(@"^aitrader serve: first start, no API key yet: made trader key [0-9a-f]{12} \(first-start\), shown only now; sign in at http://127\.0\.0\.1:\d+/ with it",
                serve.FirstStartNote);
            key = serve.Key;
            Assert.Matches("^ait_[0-9a-f]{12}_", key);
            // The printed key is a trader's: the dashboard's who-am-I says so, and a backtest is accepted.
            var me = await serve.Client.GetFromJsonAsync<JsonElement>("/app/me", serve.Timeout.Token);
            Assert.Equal(("first-start", "trader"), (me.GetProperty("name").GetString(), me.GetProperty("role").GetString()));
            var submitted = await serve.Client.PostAsync("/api/backtests",
                new StringContent("""{"symbol":"SPY","start":"2019-01-01"}""", Encoding.UTF8, "application/json"), serve.Timeout.Token);
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            await serve.StopWithSigtermAsync();
        }

        await using (var again = await ServeProcess.StartAsync(_root, key: key))
        {
            await again.StopWithSigtermAsync();
            Assert.DoesNotContain("first start", again.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("ait_", again.Stderr, StringComparison.Ordinal);
        }

        await using var keys = ApiKeyStoreFactory.Create(null, Path.Combine(_root, "data"));
        Assert.Single(await keys.ListAsync());
    }

    [Fact]
    public async Task Sigterm_during_a_trading_session_leaves_its_journal_complete_and_its_book_in_step()
    {
        string sessionId;
        await using (var serve = await ServeProcess.StartAsync(_root))
        {
            // A paced replay session: a week of minute bars of three symbols, a bar every 30 ms.
            var submitted = await serve.Client.PostAsync("/api/sessions", new StringContent(
                """{"symbols":["SPY","IBM","BAC"],"from":"2013-10-07","to":"2013-10-11","speed":"2000"}""", Encoding.UTF8, "application/json"),
                serve.Timeout.Token);
            Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
            sessionId = (await submitted.Content.ReadFromJsonAsync<JsonElement>(serve.Timeout.Token)).GetProperty("id").GetString()!;
            // Stopped mid-session, once it has traded.
            while (true)
            {
                var live = await serve.Client.GetAsync($"/api/sessions/{sessionId}/book", serve.Timeout.Token);
                if (live.StatusCode == HttpStatusCode.OK
                    && (await live.Content.ReadFromJsonAsync<JsonElement>(serve.Timeout.Token)).GetProperty("fills").GetInt32() >= 2)
                {
                    break;
                }

                await Task.Delay(100, serve.Timeout.Token);
            }

            await serve.StopWithSigtermAsync();
        }

        // The service on the same state, in process: the session is recorded as stopped by the service.
        await using var host = await ServiceHost.StartAsync(root: _root);
        using var reader = host.Client(host.ReadKey);
        var job = await reader.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}");
        Assert.Equal("cancelled", job.GetProperty("state").GetString());
        Assert.Equal("service stopped", job.GetProperty("error").GetString());
        var book = await reader.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}/book");
        var runId = book.GetProperty("run_id").GetString()!;

        // Complete: every fill the account holds is journaled under the run, and every order journaled has its end
        // (a fill, a cancel or a reject) or is still working in the saved book; nothing is journaled twice.
        await using var journal = AiTrader.Storage.JournalFactory.Create(null, host.Settings.DataDir);
        var entries = (await journal.QueryAsync(AiTrader.Core.Journal.JournalQuery.All))
            .Where(e => e.EventKey?.StartsWith(runId + ":", StringComparison.Ordinal) == true).ToList();
        var fills = entries.Where(e => e.Kind == AiTrader.Core.Journal.JournalKind.Fill).ToList();
        Assert.True(fills.Count >= 2);
        Assert.Equal(book.GetProperty("fills").GetInt32(), fills.Count);
        var working = book.GetProperty("working_orders").EnumerateArray().Select(o => o.GetProperty("id").GetString()).ToHashSet();
        var orders = entries.Where(e => e.Kind == AiTrader.Core.Journal.JournalKind.Order).ToList();
        Assert.NotEmpty(orders);
        foreach (var order in orders)
        {
            var ended = entries.Any(e => (e.OrderId == order.OrderId || (order.ClientOrderId is not null && e.ClientOrderId == order.ClientOrderId))
                && e.Kind is AiTrader.Core.Journal.JournalKind.Fill or AiTrader.Core.Journal.JournalKind.Cancel or AiTrader.Core.Journal.JournalKind.Reject);
            Assert.True(ended || working.Contains(order.OrderId), $"order {order.OrderId} ({order.ClientOrderId}) has no end in the journal and is not working");
        }

        Assert.Equal(entries.Count, entries.Select(e => e.EventKey).Distinct().Count());
    }

    [Fact]
    public async Task In_development_spans_and_metrics_are_printed_to_the_console()
    {
        await using var serve = await ServeProcess.StartAsync(_root, new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        Assert.Equal(HttpStatusCode.OK, (await serve.Client.GetAsync("/api/strategies", serve.Timeout.Token)).StatusCode);
        await serve.StopWithSigtermAsync(); // the console exporters flush as the service stops

        Assert.Contains("Activity.DisplayName:", serve.Stdout, StringComparison.Ordinal);
        Assert.Contains("/api/strategies", serve.Stdout, StringComparison.Ordinal);
        Assert.Contains("http.server.request.duration", serve.Stdout, StringComparison.Ordinal);
    }

    /// <summary>A database a newer build migrated is refused in one line and exit 2 (only a newer build helps; systemd does
    /// not restart on 2); one that cannot be reached, in one line and exit 75 (retry later; systemd restarts). Neither
    /// prints the host's start-up failure or a stack trace.</summary>
    [Fact]
    public async Task A_database_newer_than_the_build_or_out_of_reach_ends_serve_with_one_line_and_its_exit_code()
    {
        var dataDir = Path.Combine(_root, "data");
        await using (var jobs = JobStoreFactory.Create(null, dataDir))
        {
            await ((AiTrader.Storage.IMigratingStore)jobs).MigrateAsync();
        }

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "platform.db")};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_migrations (store, version, description, applied_at) VALUES ('jobs', 7, 'from a newer build', '2030-01-01T00:00:00Z')";
            await command.ExecuteNonQueryAsync();
        }

        var (code, stdout, stderr) = await ServeOnceAsync(new Dictionary<string, string> { ["AITRADER_DATA_DIR"] = dataDir });
        Assert.Equal(2, code);
        Assert.Equal($"error: SQLite {Path.Combine(dataDir, "platform.db")} is at schema version 7 of the jobs store, newer than this build knows (1); update AI Trader.",
            stderr.TrimEnd());
        Assert.Equal("", stdout);

        // Nothing listens on the port: the connection is refused.
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        (code, stdout, stderr) = await ServeOnceAsync(new Dictionary<string, string>
        {
            ["AITRADER_DATA_DIR"] = Path.Combine(_root, "other"),
            ["DATABASE_URL"] = $"postgres://aitrader:secret-password@127.0.0.1:{port}/aitrader",
        });
        Assert.Equal(75, code);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.StartsWith("error: the database cannot be reached (", stderr, StringComparison.Ordinal);
        Assert.EndsWith("; check that it runs and that DATABASE_URL points at it; a temporary failure upstream, retry later.", stderr.TrimEnd(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-password", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }

    /// <summary>A browser signed in to the dashboard stays signed in when the service restarts (the sign-in is kept in the
    /// platform database, under the SHA-256 of its token), and signing out ends it in the database too.</summary>
    [Fact]
    public async Task A_restarted_service_keeps_a_signed_in_browser_signed_in_until_it_signs_out()
    {
        var cookies = new CookieContainer();
        HttpMessageHandler Browser() => new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
        string key;
        await using (var serve = await ServeProcess.StartAsync(_root))
        {
            key = serve.Key;
            using var browser = new HttpClient(Browser()) { BaseAddress = serve.Address };
            var login = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = key }), serve.Timeout.Token);
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            Assert.Equal("cookie", (await browser.GetFromJsonAsync<JsonElement>("/app/me", serve.Timeout.Token)).GetProperty("via").GetString());
            await serve.StopWithSigtermAsync();
        }

        // What the database holds: one session, under a hash, for the key it signed in with; neither the key nor the
        // cookie in it.
        var cookie = cookies.GetAllCookies().Single(c => c.Name == "aitrader_session").Value;
        var rows = await SessionRowsAsync();
        var row = Assert.Single(rows);
        Assert.Matches("^[0-9a-f]{64}$", row.Hash);
        Assert.Equal(key.Split('_')[1], row.KeyId);
        Assert.DoesNotContain(key, System.Text.Encoding.UTF8.GetString(row.Ticket), StringComparison.Ordinal);
        Assert.DoesNotContain(row.Hash, cookie, StringComparison.Ordinal);

        await using (var again = await ServeProcess.StartAsync(_root, key: key))
        {
            // A new process on another port: the same cookie is still a signed-in browser, pages and API alike.
            using var browser = new HttpClient(Browser()) { BaseAddress = again.Address };
            var me = await browser.GetFromJsonAsync<JsonElement>("/app/me", again.Timeout.Token);
            Assert.Equal(("process", "trader", "cookie"), (me.GetProperty("name").GetString(), me.GetProperty("role").GetString(), me.GetProperty("via").GetString()));
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/app/chart", again.Timeout.Token)).StatusCode);

            Assert.Equal(HttpStatusCode.Redirect, (await browser.PostAsync("/logout", null, again.Timeout.Token)).StatusCode);
            Assert.Empty(await SessionRowsAsync());
            // The old cookie, replayed after signing out, is refused.
            using var replay = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = again.Address };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/app/me");
            request.Headers.Add("Cookie", $"aitrader_session={cookie}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await replay.SendAsync(request, again.Timeout.Token)).StatusCode);
            await again.StopWithSigtermAsync();
        }
    }

    private async Task<List<(string Hash, string KeyId, byte[] Ticket)>> SessionRowsAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_root, "data", "platform.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT token_sha256, key_id, ticket FROM dashboard_sessions";
        var rows = new List<(string, string, byte[])>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2)));
        }

        return rows;
    }

    /// <summary>Over https on loopback, with a self-signed certificate made here: the service serves the dashboard and the
    /// API, and its session cookie is Secure (besides HTTP-only and SameSite=Strict), so a browser never sends it over
    /// plain http.</summary>
    [Fact]
    public async Task Over_https_with_a_certificate_of_its_own_the_sign_in_cookie_is_secure()
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", rsa,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension(
            [new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1")], critical: false)); // server authentication
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var pfx = Path.Combine(_root, "service.pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "test-password"));
        var thumbprint = certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
        // The client trusts this certificate and no other.
        HttpMessageHandler Trusting() => new HttpClientHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert?.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256) == thumbprint,
        };

        await using var serve = await ServeProcess.StartAsync(_root, new Dictionary<string, string>
        {
            ["Kestrel__Certificates__Default__Path"] = pfx,
            ["Kestrel__Certificates__Default__Password"] = "test-password",
        }, urls: "https://127.0.0.1:0", handler: Trusting);
        Assert.Equal("https", serve.Address.Scheme);

        using var browser = new HttpClient(Trusting()) { BaseAddress = serve.Address };
        var login = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = serve.Key }), serve.Timeout.Token);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var setCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        var attributes = setCookie.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToList();
        Assert.StartsWith("aitrader_session=", setCookie, StringComparison.Ordinal);
        Assert.Contains("secure", attributes);
        Assert.Contains("httponly", attributes);
        Assert.Contains("samesite=strict", attributes);

        using var me = new HttpRequestMessage(HttpMethod.Get, "/app/me");
        me.Headers.Add("Cookie", setCookie.Split(';')[0]);
        var answer = await browser.SendAsync(me, serve.Timeout.Token);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("cookie", (await answer.Content.ReadFromJsonAsync<JsonElement>(serve.Timeout.Token)).GetProperty("via").GetString());
        await serve.StopWithSigtermAsync();
    }

    /// <summary>Runs <c>aitrader serve</c> until it exits by itself (within a minute); its code, stdout and stderr.</summary>
    private static async Task<(int Code, string Stdout, string Stderr)> ServeOnceAsync(IReadOnlyDictionary<string, string> environment)
    {
        var start = CliProcess.StartInfo(["serve", "--urls", "http://127.0.0.1:0"]);
        start.Environment.Remove("DATABASE_URL");
        start.Environment["AITRADER_BAR_CACHE"] = "off";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    [PostgresFact]
    public async Task Two_services_on_one_postgresql_hold_one_rate_limit_for_a_key_between_them()
    {
        await using var scratch = await PostgresTestDatabase.CreateScratchAsync("aitrader_rate");
        var environment = new Dictionary<string, string> { ["DATABASE_URL"] = scratch.Url };
        // Two processes with their own state folders and one database; one key, made in that database before either starts.
        await using var first = await ServeProcess.StartAsync(Path.Combine(_root, "one"), environment, null, arguments: ["--rate-limit", "20"]);
        await using var second = await ServeProcess.StartAsync(Path.Combine(_root, "two"), environment, first.Key, arguments: ["--rate-limit", "20"]);

        // The windows are whole minutes from the epoch: start early in one, so the requests below all fall in it.
        if (DateTime.UtcNow.Second > 40)
        {
            await Task.Delay(TimeSpan.FromSeconds(61 - DateTime.UtcNow.Second), first.Timeout.Token);
        }

        var windowEnd = DateTime.UtcNow.AddTicks(-(DateTime.UtcNow.Ticks % TimeSpan.TicksPerMinute)).AddMinutes(1);
        // Forty requests of the key, taking turns: each process alone would allow twenty of its own.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
        {
            var serve = i % 2 == 0 ? first : second;
            using var response = await serve.Client.GetAsync("/api/strategies", serve.Timeout.Token);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                var retry = response.Headers.RetryAfter?.Delta;
                Assert.True(retry is { } wait && wait > TimeSpan.Zero && wait <= TimeSpan.FromSeconds(60), $"Retry-After {retry}");
            }
        }

        Assert.True(DateTime.UtcNow < windowEnd, "the requests crossed into the next window");
        // Twenty a window between them (fewer when the start-up requests fell in this window too). A lease of two that
        // one process did not use up is lost to the other, so a little less may pass, never more.
        var granted = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.InRange(granted, 14, 20);
        Assert.Equal(40 - granted, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.All(statuses.Skip(granted + 4), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        await first.StopWithSigtermAsync();
        await second.StopWithSigtermAsync();
    }

    /// <summary><c>aitrader serve</c> started as its own process on a state folder, with a trader key, stopped by SIGTERM.</summary>
    private sealed class ServeProcess : IAsyncDisposable
    {
        private Process _process = null!;
        private Task<string> _stdout = null!;
        private Task<string> _rest = null!;
        private readonly StringBuilder _stderr = new();

        public HttpClient Client { get; private set; } = null!;

        /// <summary>Where it listens.</summary>
        public Uri Address { get; private set; } = null!;

        public CancellationTokenSource Timeout { get; } = new(TimeSpan.FromMinutes(2));

        /// <summary>What the process wrote to stdout, once it has exited.</summary>
        public string Stdout { get; private set; } = "";

        /// <summary>The line before the key a first start printed (empty when it printed none).</summary>
        public string FirstStartNote { get; private set; } = "";

        /// <summary>The key the client uses.</summary>
        public string Key { get; private set; } = "";

        /// <summary>Starts <c>aitrader serve</c>. With neither <paramref name="key"/> nor <paramref name="firstStart"/> a trader
        /// key is made in the store first; with <paramref name="firstStart"/> the store is left empty and the key the
        /// service prints on its first start is used.</summary>
        /// <param name="urls">What it listens on (https needs a certificate in <paramref name="environment"/>).</param>
        /// <param name="handler">The client's handler (a cookie jar, the test's certificate); a plain one when null.</param>
        /// <param name="arguments">More options of <c>serve</c>.</param>
        public static async Task<ServeProcess> StartAsync(string root, IReadOnlyDictionary<string, string>? environment = null, string? key = null,
            bool firstStart = false, string urls = "http://127.0.0.1:0", Func<HttpMessageHandler>? handler = null,
            IReadOnlyList<string>? arguments = null)
        {
            var serve = new ServeProcess();
            var dataDir = Path.Combine(root, "data");
            if (key is null && !firstStart)
            {
                await using var keys = ApiKeyStoreFactory.Create(environment?.GetValueOrDefault("DATABASE_URL"), dataDir);
                key = (await keys.CreateAsync("process", ApiKeyRole.Trader)).Key;
            }

            var start = CliProcess.StartInfo(["serve", "--urls", urls, .. arguments ?? []]);
            start.Environment["AITRADER_DATA_DIR"] = dataDir;
            start.Environment["AITRADER_ARTIFACTS_DIR"] = Path.Combine(root, "artifacts");
            start.Environment["AITRADER_BAR_CACHE"] = "off";
            start.Environment.Remove("DATABASE_URL");
            foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            {
                start.Environment[name] = value;
            }

            serve._process = Process.Start(start)!;
            serve._stdout = serve._process.StandardOutput.ReadToEndAsync();
            Uri? address = null;
            while (address is null && await serve._process.StandardError.ReadLineAsync(serve.Timeout.Token) is { } line)
            {
                serve._stderr.AppendLine(line);
                if (Regex.Match(line, @"listening on (https?://127\.0\.0\.1:\d+)") is { Success: true } m)
                {
                    address = new Uri(m.Groups[1].Value);
                }
            }

            Assert.True(address is not null, serve._stderr.ToString());
            if (firstStart)
            {
                serve.FirstStartNote = await serve._process.StandardError.ReadLineAsync(serve.Timeout.Token) ?? "";
                key = await serve._process.StandardError.ReadLineAsync(serve.Timeout.Token) ?? "";
                serve._stderr.AppendLine(serve.FirstStartNote).AppendLine("(the key)");
            }

            serve.Key = key!;
            serve._rest = serve._process.StandardError.ReadToEndAsync(serve.Timeout.Token);
            serve.Address = address!;
            serve.Client = new HttpClient(handler?.Invoke() ?? new HttpClientHandler()) { BaseAddress = address };
            serve.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", serve.Key);
            Assert.Equal(HttpStatusCode.OK, (await serve.Client.GetAsync("/health/ready", serve.Timeout.Token)).StatusCode);
            return serve;
        }

        /// <summary>Sends SIGTERM and waits for a clean exit: code 0, no stack trace.</summary>
        public async Task StopWithSigtermAsync()
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(Timeout.Token);
            }

            await _process.WaitForExitAsync(Timeout.Token);
            var errors = _stderr + await _rest;
            Assert.True(_process.ExitCode == 0, $"exit {_process.ExitCode}: {errors}");
            Assert.DoesNotContain("   at ", errors, StringComparison.Ordinal); // no stack trace
            Stdout = await _stdout;
            Stderr = errors;
        }

        /// <summary>What the process wrote to stderr, once it has exited.</summary>
        public string Stderr { get; private set; } = "";

        public ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
            Client.Dispose();
            Timeout.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
