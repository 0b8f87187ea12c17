using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiTrader.Integration.Tests.Vendors.Fakes;

/// <summary>Failure a fake vendor injects instead of its normal answer.</summary>
public enum FakeMode
{
    Normal,
    Empty,
    RateLimitBody,
    Unauthorized,
    Forbidden,
    Http429,
    ServerError,
    Truncated,
    Html,
    Slow,

    /// <summary>HTTP 200 whose JSON body never ends (the server keeps writing until the client goes away).</summary>
    Endless,
}

/// <summary>A loopback Kestrel server speaking one vendor's wire format, with switchable failures and a request log.</summary>
public abstract class FakeVendorServer : IAsyncDisposable
{
    private WebApplication? _app;
    private int _requests;
    private int _failuresServed;
    private int _passed;

    public Uri BaseUrl { get; private set; } = null!;

    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>Path and query of every request received, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public FakeMode Mode { get; set; }

    /// <summary>How many requests get <see cref="Mode"/> before the fake answers normally again.</summary>
    public int FailTimes { get; set; } = int.MaxValue;

    /// <summary>How many requests are answered normally before <see cref="Mode"/> applies (a quota that ends mid-way).</summary>
    public int PassTimes { get; set; }

    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>When set (and not failing), served verbatim as the normal JSON body of data endpoints.</summary>
    public string? BodyOverride { get; set; }

    public string ApiKey { get; set; } = "TESTKEY-SECRET-123";

    protected abstract void Map(WebApplication app);

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Use(async (ctx, next) =>
        {
            Interlocked.Increment(ref _requests);
            Requests.Enqueue(ctx.Request.Path + ctx.Request.QueryString);
            await next(ctx);
        });
        Map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address);
        _app = app;
    }

    /// <summary>The failure to inject for this request, or Normal once <see cref="FailTimes"/> is used up.</summary>
    protected FakeMode CurrentFailure()
    {
        if (Mode == FakeMode.Normal)
        {
            return FakeMode.Normal;
        }

        if (Interlocked.Increment(ref _passed) <= PassTimes)
        {
            return FakeMode.Normal;
        }

        return Interlocked.Increment(ref _failuresServed) <= FailTimes ? Mode : FakeMode.Normal;
    }

    /// <summary>Applies the generic failures (429 status, 500, HTML, truncation, slowness); vendor-specific ones are handled by the caller.</summary>
    protected async Task<bool> TryWriteGenericFailureAsync(HttpContext ctx, FakeMode mode, string normalBody, string rateLimitBody, string rateLimitType = "application/json")
    {
        switch (mode)
        {
            case FakeMode.Http429:
                ctx.Response.StatusCode = 429;
                ctx.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                ctx.Response.ContentType = rateLimitType;
                await ctx.Response.WriteAsync(rateLimitBody);
                return true;
            case FakeMode.ServerError:
                ctx.Response.StatusCode = 500;
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync("{\"message\":\"internal server error\"}");
                return true;
            case FakeMode.Html:
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentType = "text/html; charset=utf-8";
                await ctx.Response.WriteAsync("<!DOCTYPE html><html><head><title>Sign in</title></head><body>Please sign in</body></html>");
                return true;
            case FakeMode.Truncated:
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync(normalBody[..(normalBody.Length / 2)]);
                return true;
            case FakeMode.Endless:
                ctx.Response.StatusCode = 200;
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync("{\"padding\":\"", ctx.RequestAborted);
                var chunk = new string('x', 64 * 1024);
                // Bounded on the fake's side too (256 MiB), so a client that never stops reading cannot hang the test run.
                for (var i = 0; i < 4096 && !ctx.RequestAborted.IsCancellationRequested; i++)
                {
                    try
                    {
                        await ctx.Response.WriteAsync(chunk, ctx.RequestAborted);
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or IOException)
                    {
                        return true;
                    }
                }

                return true;
            case FakeMode.Slow:
                await Task.Delay(TimeSpan.FromSeconds(5), ctx.RequestAborted).ContinueWith(_ => { });
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync(normalBody);
                return true;
            default:
                return false;
        }
    }

    protected static Task WriteJsonAsync(HttpContext ctx, string body, int status = 200)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        return ctx.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
