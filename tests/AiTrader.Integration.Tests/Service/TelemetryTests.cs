using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AiTrader.Integration.Tests.Service;

/// <summary>OpenTelemetry over OTLP/HTTP to a collector on loopback that keeps what it receives: request and job spans,
/// job and HTTP metrics, and no API key in any of it.</summary>
public sealed class TelemetryTests
{
    /// <summary>A stand-in OTLP collector: accepts protobuf posts on /v1/traces and /v1/metrics and keeps their bytes.
    /// Strings (span names, attribute values, metric names) are plain UTF-8 inside protobuf, so they can be found.</summary>
    private sealed class Collector : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private Collector(WebApplication app) => _app = app;

        public ConcurrentBag<(string Path, string ContentType, byte[] Body)> Posts { get; } = [];

        public Uri Address => new(_app.Urls.First());

        public static async Task<Collector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var collector = new Collector(app);
            app.MapPost("/v1/{signal}", async (HttpContext context, string signal) =>
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer);
                collector.Posts.Add(("/v1/" + signal, context.Request.ContentType ?? "", buffer.ToArray()));
                return Results.Ok();
            });
            await app.StartAsync();
            return collector;
        }

        public string Text(string path) =>
            string.Join("\n", Posts.Where(p => p.Path == path).Select(p => Encoding.UTF8.GetString(p.Body)));

        public ValueTask DisposeAsync() => _app.DisposeAsync();
    }

    [Fact]
    public async Task With_metrics_asked_for_prometheus_scrapes_jobs_backtest_speed_and_journal_counts_with_a_read_key()
    {
        await using var host = await ServiceHost.StartAsync(new AiTrader.Service.ServiceOptions { PrometheusMetrics = true },
            new Dictionary<string, string> { ["AITRADER_WEBHOOK_SECRET"] = new string('s', 40) });
        using var trader = host.Client(host.TraderKey);
        var submitted = await trader.PostAsync("/api/backtests",
            new StringContent("""{"symbol":"SPY","start":"2010-01-01","end":"2011-12-31"}""", Encoding.UTF8, "application/json"));
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal("succeeded", (await ServiceHost.FinishedJobAsync(trader, $"/api/backtests/{id}")).GetProperty("state").GetString());
        // An unsigned webhook: refused, and journaled as kind webhook.
        using var anonymous = host.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/webhooks/alerts", new StringContent("{}"))).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        using var reader = host.Client(host.ReadKey);
        string text = "";
        for (var i = 0; i < 100 && !text.Contains("aitrader_journal_entries", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100); // the exporter caches a scrape for a moment
            text = await reader.GetStringAsync("/metrics");
        }

        Assert.Contains("aitrader_jobs_finished", text, StringComparison.Ordinal);
        Assert.Contains("kind=\"backtest\"", text, StringComparison.Ordinal);
        Assert.Contains("aitrader_backtest_throughput", text, StringComparison.Ordinal);
        Assert.Contains("strategy=\"breakout\"", text, StringComparison.Ordinal);
        Assert.Matches("aitrader_journal_entries_total\\{[^}]*kind=\"webhook\"[^}]*\\} [1-9]", text);
        Assert.Contains("http_server_request_duration", text, StringComparison.Ordinal);
        Assert.DoesNotContain(host.ReadKey[^43..], text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_metrics_asked_for_there_is_no_scrape_endpoint()
    {
        await using var host = await ServiceHost.StartAsync();
        using var reader = host.Client(host.ReadKey);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task Requests_and_jobs_are_traced_and_counted_without_keys()
    {
        await using var collector = await Collector.StartAsync();
        string readKey, traderKey;
        var environment = new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address.ToString() };
        if (AiTrader.Integration.Tests.Storage.PostgresTestDatabase.Url is { } databaseUrl)
        {
            environment["DATABASE_URL"] = databaseUrl; // so the trace reaches the database (Npgsql spans)
        }

        await using (var host = await ServiceHost.StartAsync(environment: environment))
        {
            (readKey, traderKey) = (host.ReadKey, host.TraderKey);
            using var trader = host.Client(host.TraderKey);
            Assert.Equal(HttpStatusCode.OK, (await trader.GetAsync("/api/strategies")).StatusCode);
            var submitted = await trader.PostAsync("/api/backtests",
                new StringContent("""{"symbol":"SPY","start":"2010-01-01","end":"2011-12-31"}""", Encoding.UTF8, "application/json"));
            var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            for (var i = 0; i < 600; i++)
            {
                var job = await trader.GetFromJsonAsync<JsonElement>($"/api/backtests/{id}");
                if (job.GetProperty("state").GetString() == "succeeded")
                {
                    break;
                }

                await Task.Delay(100);
            }
        } // stopping the service flushes both exporters

        Assert.All(collector.Posts, p => Assert.Equal("application/x-protobuf", p.ContentType));
        var traces = collector.Text("/v1/traces");
        var metrics = collector.Text("/v1/metrics");
        Assert.Contains("aitrader", traces, StringComparison.Ordinal); // service.name
        // service.version is the product's (0.16.0), the tool package's own version, not the assemblies' default 1.0.0.0.
        Assert.Matches(@"^\d+\.\d+\.\d+$", AiTrader.Service.ServiceTelemetry.ProductVersion);
        Assert.NotEqual("1.0.0", AiTrader.Service.ServiceTelemetry.ProductVersion);
        Assert.Equal(typeof(AiTrader.Cli.AiTraderApp).Assembly.GetName().Version!.ToString(3), AiTrader.Service.ServiceTelemetry.ProductVersion);
        Assert.Contains(AiTrader.Service.ServiceTelemetry.ProductVersion, traces, StringComparison.Ordinal);
        Assert.Contains("/api/strategies", traces, StringComparison.Ordinal);
        Assert.Contains("job backtest", traces, StringComparison.Ordinal);
        Assert.Contains("aitrader.job.id", traces, StringComparison.Ordinal);
        Assert.Contains("aitrader.jobs.finished", metrics, StringComparison.Ordinal);
        Assert.Contains("aitrader.jobs.duration", metrics, StringComparison.Ordinal);
        Assert.Contains("http.server.request.duration", metrics, StringComparison.Ordinal);
        if (environment.ContainsKey("DATABASE_URL"))
        {
            Assert.Contains("postgresql", traces, StringComparison.Ordinal); // db.system of the Npgsql command spans
            Assert.Contains("platform.jobs", traces, StringComparison.Ordinal); // the job store's statements
        }

        // Logs as OTLP records, with their messages.
        var logs = collector.Text("/v1/logs");
        Assert.Contains("aitrader", logs, StringComparison.Ordinal);
        Assert.Contains("backtest", logs, StringComparison.Ordinal);
        foreach (var secret in new[] { readKey[^43..], traderKey[^43..] })
        {
            Assert.DoesNotContain(secret, traces + metrics + logs, StringComparison.Ordinal);
        }
    }
}
