using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AiTrader.Service;
using AiTrader.Storage.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiTrader.Integration.Tests.Service;

/// <summary>The real service on a free loopback port with its own data folder (SQLite), keys of both roles, and every
/// log line it writes kept for inspection.</summary>
internal sealed class ServiceHost : IAsyncDisposable
{
    private readonly string _root;
    private readonly bool _ownsRoot;
    private WebApplication? _app;

    private ServiceHost(string? root)
    {
        _ownsRoot = root is null;
        _root = root ?? Directory.CreateTempSubdirectory("aitrader-serve-").FullName;
    }

    /// <summary>The folder holding the data, artifacts and cache (another host started on it sees the same state).</summary>
    public string Root => _root;

    public ConcurrentQueue<string> Logs { get; } = new();

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every route the app maps: (HTTP methods, route pattern).</summary>
    public IReadOnlyList<(string[] Methods, string Pattern)> Routes => [.. RouteEndpoints.Select(e => (e.Methods, e.Pattern))];

    /// <summary>The API's routes: every mapped route except those kept out of the OpenAPI document on purpose (the
    /// dashboard's pages and sign-in, marked ExcludeFromDescription) and the document itself.</summary>
    public IReadOnlyList<(string[] Methods, string Pattern)> ApiRoutes =>
        [.. RouteEndpoints.Where(e => !e.Excluded && !e.Pattern.StartsWith("/openapi/", StringComparison.Ordinal)).Select(e => (e.Methods, e.Pattern))];

    private IEnumerable<(string[] Methods, string Pattern, bool Excluded)> RouteEndpoints =>
        _app!.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Select(e => (
                e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()?.HttpMethods.ToArray() ?? ["GET"],
                "/" + e.RoutePattern.RawText!.Trim('/'),
                e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IExcludeFromDescriptionMetadata>()?.ExcludeFromDescription == true));

    public string ReadKey { get; private set; } = "";

    public string TraderKey { get; private set; } = "";

    public AppSettings Settings => new()
    {
        DataDir = Path.Combine(_root, "data"),
        ArtifactsDir = Path.Combine(_root, "artifacts"),
        BarCacheDir = Path.Combine(_root, "cache"),
    };

    /// <param name="root">Reuse another host's folder (a restart); that host's owner deletes it.</param>
    public static async Task<ServiceHost> StartAsync(ServiceOptions? options = null, IReadOnlyDictionary<string, string>? environment = null,
        string? root = null, Action<WebApplicationBuilder>? configure = null)
    {
        var host = new ServiceHost(root);
        var env = environment ?? new Dictionary<string, string>();
        await using (var keys = ApiKeyStoreFactory.Create(env.GetValueOrDefault("DATABASE_URL"), host.Settings.DataDir))
        {
            host.ReadKey = (await keys.CreateAsync("reader", ApiKeyRole.ReadOnly)).Key;
            host.TraderKey = (await keys.CreateAsync("trader", ApiKeyRole.Trader)).Key;
        }

        host._app = ServiceApp.Build((options ?? new ServiceOptions()) with { Urls = "http://127.0.0.1:0" }, host.Settings,
            name => env.TryGetValue(name, out var v) ? v : null,
            builder =>
            {
                builder.Logging.SetMinimumLevel(LogLevel.Trace);
                builder.Logging.AddFilter(_ => true);
                builder.Logging.AddProvider(new QueueLoggerProvider(host.Logs));
                configure?.Invoke(builder);
            });
        await host._app.StartAsync();
        host.BaseAddress = new Uri(host._app.Urls.First());
        return host;
    }

    /// <summary>A client with <paramref name="key"/> as a bearer token (none when null).</summary>
    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>A JSON request body.</summary>
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Posts the job spec <paramref name="json"/> to <paramref name="path"/> (<c>/api/sessions</c>, ...), checks
    /// that it was accepted and returns the job's id.</summary>
    public static async Task<string> SubmitAsync(HttpClient client, string path, string json)
    {
        var response = await client.PostAsync(path, Json(json));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    /// <summary>Waits until the session job <paramref name="id"/> trades (its guardrail panel answers; 409 while it is
    /// queued or starting) and returns the panel; fails the test after 60 s.</summary>
    public static async Task<JsonElement> RunningSessionAsync(HttpClient client, string id)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var response = await client.GetAsync($"/api/sessions/{id}/guardrails");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                return await response.Content.ReadFromJsonAsync<JsonElement>();
            }

            Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
            Assert.True(DateTime.UtcNow < until, $"session {id} never ran");
            await Task.Delay(50);
        }
    }

    /// <summary>Polls the job at <paramref name="path"/> until it has finished (succeeded, failed or cancelled) and returns
    /// it; fails the test when it has not within <paramref name="timeout"/> (90 s by default).</summary>
    public static async Task<JsonElement> FinishedJobAsync(HttpClient client, string path, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            // A pause before each look, as the loops this replaced did: a cancelled job is recorded at once, and its worker
            // lets go of the session a moment later.
            await Task.Delay(100);
            var job = await client.GetFromJsonAsync<JsonElement>(path);
            if (job.GetProperty("state").GetString() is not ("queued" or "running"))
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < until, $"{path} did not finish");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        if (!_ownsRoot)
        {
            return;
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class QueueLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new QueueLogger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class QueueLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
