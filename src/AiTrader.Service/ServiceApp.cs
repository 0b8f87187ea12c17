using System.Threading.RateLimiting;
using AiTrader.Application;
using AiTrader.Application.Jobs;
using AiTrader.Application.MarketData;
using AiTrader.Core.MarketData;
using AiTrader.Service.Dashboard;
using AiTrader.Storage;
using AiTrader.Storage.Jobs;
using AiTrader.Storage.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiTrader.Service;

/// <summary>Builds and runs the service: authentication by API key, per-key rate limits, body size limits, closed CORS,
/// problem documents for every error, the OpenAPI document, and the endpoints over the application layer.</summary>
public static class ServiceApp
{
    /// <summary>A service ready to start.</summary>
    /// <param name="environment">Variable lookup (DATABASE_URL, vendor keys); the process environment when null.</param>
    /// <param name="configure">Extra set-up before the app is built (tests add a log sink).</param>
    public static WebApplication Build(ServiceOptions options, AppSettings settings, Func<string, string?>? environment = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(settings);
        var env = environment ?? Environment.GetEnvironmentVariable;
        var databaseUrl = env(SnapshotCatalogFactory.DatabaseUrlVariable);
        var webhookSecret = WebhookEndpoints.SecretFrom(env);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(options.Urls);
        // https URLs take their certificate from the standard settings (Kestrel__Certificates__Default__Path and
        // __Password): the slim builder leaves that out unless asked.
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes;
        });
        builder.Logging.ClearProviders();
        // Message templates throughout; the console line carries the trace id of the request or job it belongs to.
        builder.Logging.AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.IncludeScopes = true;
        });
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Authentication needs a data-protection key ring; it lives with the service's other state, not in the home folder.
        builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(settings.DataDir, "service-keys")));
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        // The health page's vendor status, stream lag and recent errors; registered by a factory so the container
        // disposes it (and its metrics listener) with the app.
        var activity = new ServiceActivity(TimeProvider.System);
        builder.Services.AddSingleton(_ => activity);
        builder.Logging.AddProvider(new RecentProblemsLoggerProvider(activity));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<IApiKeyStore>(_ => ApiKeyStoreFactory.Create(databaseUrl, settings.DataDir));
        builder.Services.AddSingleton<ApiKeyUse>();
        builder.Services.AddSingleton<IJobStore>(_ => JobStoreFactory.Create(databaseUrl, settings.DataDir));
        builder.Services.AddSingleton(sp => new JobRunner(sp.GetRequiredService<IJobStore>(), settings, options.MaxConcurrentJobs,
            journal: () => JournalFactory.Create(databaseUrl, settings.DataDir),
            watchlists: () => Storage.Watchlists.WatchlistStoreFactory.Create(null, env, settings.DataDir),
            logger: sp.GetRequiredService<ILoggerFactory>().CreateLogger("AiTrader.Jobs"), environment: env, streams: activity.Streams)
        {
            Sweeps = options.ClusterSweeps,
        });
        // Schema first: the job runner reads the job store as it starts.
        builder.Services.AddSingleton(sp => new SchemaMigrationService(databaseUrl, settings.DataDir,
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("AiTrader.Service.Migrations")));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SchemaMigrationService>());
        builder.Services.AddHostedService<JobRunnerService>();
        builder.Services.AddSingleton(new LiveScanStatus
        {
            Enabled = options.ScanSchedule is not null,
            Schedule = options.ScanSchedule?.ToString(),
            Off = options.ScanSchedule is null ? "no schedule: start the service with --scan-schedule premarket" : null,
        });
        builder.Services.AddHostedService(sp => new LiveScanService(options, settings, env, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<LiveScanStatus>(), sp.GetRequiredService<ILogger<LiveScanService>>()));
        // A stop (Ctrl+C, SIGTERM) waits this long for running jobs to end cleanly.
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            // Dashboard: a browser signs in with a key at /login and carries a cookie; the API takes either (docs/reference/dashboard.md).
            .AddDashboardCookie();
        // Closed by default: an endpoint mapped without a policy still needs a key (only AllowAnonymous opens one).
        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build())
            .AddPolicy(ApiKeyAuthenticationHandler.ReadPolicy, p => p.RequireAuthenticatedUser())
            .AddPolicy(ApiKeyAuthenticationHandler.TraderPolicy, p => p.RequireRole(ApiKeyRole.Trader.ToText()));
        // Per key across every service on the database: the windows are counted in the key store, leased a tenth at a time.
        builder.Services.AddSingleton(sp => new SharedRateLimiter(sp.GetRequiredService<IApiKeyStore>(), options.RequestsPerWindow, options.RateWindow,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("AiTrader.Service.RateLimit"), PartitionOf));
        builder.Services.AddOptions<RateLimiterOptions>().Configure<SharedRateLimiter>((r, limiter) => r.GlobalLimiter = limiter);
        builder.Services.AddRateLimiter(r =>
        {
            r.OnRejected = async (rejected, ct) =>
            {
                var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? (int)Math.Ceiling(retry.TotalSeconds) : 60;
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                await Problems.WriteAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "rate limit exceeded",
                    $"at most {options.RequestsPerWindow} requests per {options.RateWindow.TotalSeconds:0} s per key; retry after {seconds} s.");
            };
        });
        if (options.CorsOrigins.Count > 0)
        {
            builder.Services.AddCors(c => c.AddDefaultPolicy(p => p.WithOrigins([.. options.CorsOrigins]).AllowAnyHeader().AllowAnyMethod()));
        }

        ServiceTelemetry.Add(builder, env, options.PrometheusMetrics);
        configure?.Invoke(builder);
        var app = builder.Build();

        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = WriteExceptionAsync,
            // The caller's mistake, answered with a 4xx problem, is not logged as an unhandled error with a stack trace.
            SuppressDiagnosticsCallback = c => IsCallersMistake(c.Exception),
        });
        app.UseStatusCodePages(async status =>
        {
            var response = status.HttpContext.Response;
            if (response.ContentLength is null && string.IsNullOrEmpty(response.ContentType))
            {
                await Problems.WriteAsync(status.HttpContext, response.StatusCode, ReasonOf(response.StatusCode),
                    response.StatusCode == StatusCodes.Status404NotFound ? "no such endpoint; see /openapi/v1.json." : "see /openapi/v1.json.");
            }
        });
        if (options.CorsOrigins.Count > 0)
        {
            app.UseCors();
        }

        app.UseAuthentication();
        app.UseDashboardCsrfGuard();
        app.UseRateLimiter();
        app.UseAuthorization();

        app.MapGet("/health/live", () => Results.Ok(new { status = "live" })).AllowAnonymous().WithSummary("Liveness: the process answers.");
        HealthEndpoints.Map(app, env);
        ServiceTelemetry.MapScrapeEndpoint(app, options.PrometheusMetrics);
        app.MapOpenApi("/openapi/{documentName}.json").RequireAuthorization(ApiKeyAuthenticationHandler.ReadPolicy);

        DashboardEndpoints.Map(app);
        WebhookEndpoints.Map(app, webhookSecret, () => JournalFactory.Create(databaseUrl, settings.DataDir));
        var api = app.MapGroup("/api").RequireAuthorization(ApiKeyAuthenticationHandler.ReadPolicy);
        api.MapGet("/strategies", () => Results.Text(StrategyCatalogJson.Write(), "application/json"))
            .WithSummary("The strategies and their parameters with defaults (name, parameters: name, default, description), as aitrader strategies --json prints them.");
        api.MapGet("/bars", async (string? symbol, string? interval, string? start, string? end, int? limit, string? after, CancellationToken ct) =>
            {
                var page = await BarPages.ReadAsync(settings, BarPageRequest.Parse(symbol, interval, start, end, limit, after), withSignals: false, ct);
                return Results.Text(MarketDataJson.Bars(page), "application/json");
            })
            .WithSummary("Bars of a symbol and interval over New York dates (bundled data), oldest first; limit at most 10,000 and the after cursor.");
        api.MapGet("/signals", async (string? symbol, string? interval, string? start, string? end, int? limit, string? after, CancellationToken ct) =>
            {
                var page = await BarPages.ReadAsync(settings, BarPageRequest.Parse(symbol, interval, start, end, limit, after), withSignals: true, ct);
                return Results.Text(MarketDataJson.Signals(page), "application/json");
            })
            .WithSummary("Each bar's Kalman filter, regime and indicators (the signals CSV columns), paged like /bars.");
        api.MapGet("/chart", async (string? symbol, string? interval, string? start, string? end, string? from, string? to, int? points, bool? signals, CancellationToken ct) =>
            {
                var view = await ChartViews.ReadAsync(settings, ChartRequest.Parse(symbol, interval, start, end, from, to, points, signals), ct);
                return Results.Text(MarketDataJson.Chart(view), "application/json");
            })
            .WithSummary("A chart's candles: the bars of the date range, narrowed to the UTC window from..to, merged into at most points candles (default 2,000; OHLC and summed volume per candle), with the signal frame of each candle's last bar unless signals=false.");
        JobEndpoints.Map(api);
        SessionControlEndpoints.Map(api);
        WatchlistEndpoints.Map(api, settings, env);
        JournalEndpoints.Map(api, () => JournalFactory.Create(databaseUrl, settings.DataDir));
        RunOrderEndpoints.Map(api, () => JournalFactory.Create(databaseUrl, settings.DataDir));
        ApiKeyEndpoints.Map(api);
        return app;
    }

    /// <summary>The name of the trader key the first start of an empty key store makes.</summary>
    public const string FirstStartKeyName = "first-start";

    /// <summary>Runs the service until <paramref name="ct"/> is cancelled (Ctrl+C or SIGTERM stop it cleanly too).</summary>
    public static async Task RunAsync(ServiceOptions options, AppSettings settings, TextWriter log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(log);
        await using var app = Build(options, settings);
        // The schema before the host starts: a database that is newer than this build, or cannot be reached, ends the
        // command with its one-line error instead of the host's "failed to start" log with a stack trace.
        await app.Services.GetRequiredService<SchemaMigrationService>().StartAsync(ct);
        await app.StartAsync(ct);
        await log.WriteLineAsync($"aitrader serve: listening on {string.Join(", ", app.Urls)} (liveness /health/live, API /api, OpenAPI /openapi/v1.json); Ctrl+C stops");
        // The first start of an empty key store makes a trader key, so that a new user can sign in to the dashboard at
        // once; it is printed here only (the store keeps its hash), and never again once any key exists.
        var keys = app.Services.GetRequiredService<IApiKeyStore>();
        if ((await keys.ListAsync(ct)).Count == 0)
        {
            var (info, key) = await keys.CreateAsync(FirstStartKeyName, ApiKeyRole.Trader, ct);
            await log.WriteLineAsync($"aitrader serve: first start, no API key yet: made trader key {info.Id} ({info.Name}), shown only now; " +
                $"sign in at {app.Urls.First().TrimEnd('/')}/ with it (revoke it with `aitrader apikey revoke {info.Id}` once you have your own):");
            await log.WriteLineAsync(key);
        }

        try
        {
            await app.WaitForShutdownAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped by the caller: stop the host below.
        }

        await app.StopAsync(CancellationToken.None);
    }

    private static string PartitionOf(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true
            ? "key:" + context.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value
            : "ip:" + context.Connection.RemoteIpAddress;

    /// <summary>An exception that <see cref="WriteExceptionAsync"/> answers with a 4xx problem: a bad request (an unknown
    /// symbol, a malformed date), not a failure of the service. A source that failed (503) is not one.</summary>
    internal static bool IsCallersMistake(Exception? exception) =>
        exception is (RequestException and not UpstreamException) or MarketDataException or BadHttpRequestException;

    private static async Task WriteExceptionAsync(HttpContext context)
    {
        var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        switch (error)
        {
            case KeyStoreUnreachableException unreachable:
                await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "key store unreachable", unreachable.Message);
                break;
            case UpstreamException upstream:
                await Problems.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "source unavailable", upstream.Message, upstream.Field);
                break;
            case ConflictException conflict:
                await Problems.WriteAsync(context, StatusCodes.Status409Conflict, "conflict", conflict.Message, conflict.Field);
                break;
            case RequestException request:
                await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid request", request.Message, request.Field);
                break;
            case MarketDataException data:
                await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "market data", data.Message);
                break;
            case BadHttpRequestException bad:
                await Problems.WriteAsync(context, bad.StatusCode, ReasonOf(bad.StatusCode),
                    bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "the request body is larger than the service accepts." : bad.Message);
                break;
            default:
                await Problems.WriteAsync(context, StatusCodes.Status500InternalServerError, "internal error",
                    "the service failed to handle the request; its log has the details.");
                break;
        }
    }

    private static string ReasonOf(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } reason
        ? reason.ToLowerInvariant()
        : "error";
}

/// <summary>Applies the missing schema steps of every store before the service takes requests (once: <c>serve</c> runs it
/// before the host starts, and the host's start then has nothing to do).</summary>
internal sealed partial class SchemaMigrationService(string? databaseUrl, string dataDir, ILogger logger) : IHostedService
{
    private bool _done;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_done)
        {
            return;
        }

        foreach (var report in await PlatformDatabase.MigrateAsync(databaseUrl, dataDir, cancellationToken))
        {
            foreach (var step in report.Applied)
            {
                Applied(logger, report.Store, step.Version, step.Description, report.Location);
            }
        }

        _done = true;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "schema {Store} v{Version} applied: {Description} ({Location})")]
    private static partial void Applied(ILogger logger, string store, int version, string description, string location);
}
