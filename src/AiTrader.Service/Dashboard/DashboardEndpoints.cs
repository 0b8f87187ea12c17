using System.Collections.Frozen;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using AiTrader.Storage.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace AiTrader.Service.Dashboard;

/// <summary>The dashboard's routes: <c>/login</c> and <c>/logout</c>, the pages under <c>/app/</c> (a signed-in browser
/// only; others are sent to the login page), their scripts, styles and the vendored chart library under
/// <c>/app/assets/</c>, all embedded in this assembly.</summary>
public static partial class DashboardEndpoints
{
    /// <summary>Each page under <c>/app/</c>: its route name (and script, <c>assets/{name}.js</c>), its heading, and whether
    /// it draws charts (and so loads the chart library). They share one shell, <c>pages/page.html</c>.</summary>
    private static readonly (string Name, string Title, bool Charts)[] PageShells =
    [
        ("chart", "Chart", true), ("backtests", "Backtests", false), ("backtest", "Backtest result", true), ("sweep", "Sweep result", true),
        ("compare", "Compare backtests", true), ("scans", "Scans and watchlists", false), ("trading", "Trading", false),
        ("journal", "Journal", false), ("health", "Health", false),
    ];

    /// <summary>The pages, by route name under <c>/app/</c>.</summary>
    public static readonly IReadOnlyList<string> Pages = [.. PageShells.Select(p => p.Name)];

    private const string ResourcePrefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".json"] = "application/json",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Everything under wwwroot, by its path there ("pages/chart.html", "assets/app.js"); after the content types it uses.</summary>
    private static readonly FrozenDictionary<string, Asset> Assets = LoadAssets();

    /// <summary>No inline script anywhere, no other origin: the pages load only what the service serves.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", () => Results.Redirect("/app/chart")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/app", () => Results.Redirect("/app/chart")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/login", (HttpContext context) => LoginPage(context, message: null, StatusCodes.Status200OK))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/login", LoginAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/logout", (Delegate)LogoutAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        // Pages and assets are files from this assembly, not API work: they do not count against a key's requests per
        // minute (a page loads half a dozen assets, so a person clicking through the dashboard used up the API's allowance).
        foreach (var page in Pages)
        {
            app.MapGet("/app/" + page, (Delegate)((HttpContext context) => PageAsync(context, page))).AllowAnonymous().ExcludeFromDescription()
                .DisableRateLimiting();
        }

        app.MapGet("/app/assets/{**path}", (HttpContext context, string path) => ServeAsset(context, "assets/" + path))
            .AllowAnonymous().ExcludeFromDescription().DisableRateLimiting();
        app.MapGet("/app/me", (ClaimsPrincipal user) => Results.Json(new
        {
            id = user.FindFirstValue(ClaimTypes.NameIdentifier),
            name = user.FindFirstValue(ClaimTypes.Name),
            role = user.FindFirstValue(ClaimTypes.Role),
            via = user.Identity?.AuthenticationType == DashboardAuthentication.CookieScheme ? "cookie" : "api key",
        }))
            .RequireAuthorization(ApiKeyAuthenticationHandler.ReadPolicy)
            .WithSummary("Who the request is signed in as: key id, name, role (read or trader), and whether by cookie or key.");
    }

    private static async Task<IResult> LoginAsync(HttpContext context, IApiKeyStore keys, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("AiTrader.Service.Dashboard");
        if (!DashboardAuthentication.SameOrigin(context.Request))
        {
            return LoginPage(context, "Sign-in refused: the form was posted from another site.", StatusCodes.Status403Forbidden);
        }

        if (!context.Request.HasFormContentType)
        {
            return LoginPage(context, "Send the key as a form field named 'key' (application/x-www-form-urlencoded).", StatusCodes.Status400BadRequest);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var key = form["key"].ToString().Trim();
        if (key.Length == 0)
        {
            return LoginPage(context, "Paste an API key (it starts with ait_). Make one with: aitrader apikey create --name NAME", StatusCodes.Status400BadRequest);
        }

        var info = await keys.VerifyAsync(key, context.RequestAborted);
        if (info is null)
        {
            // Never the key text: its id when it is well formed.
            var id = ApiKeyToken.TryGetId(key, out var keyId) ? keyId : null;
            LoginRefused(logger, id ?? "(malformed)");
            return LoginPage(context, id is null
                    ? "That is not an API key: keys look like ait_<12 hex digits>_<secret>, as `aitrader apikey create` prints them."
                    : $"API key {id} is unknown or revoked. Check `aitrader apikey list`, or create a new key.",
                StatusCodes.Status401Unauthorized);
        }

        await context.SignInAsync(DashboardAuthentication.CookieScheme, DashboardAuthentication.PrincipalOf(info),
            new AuthenticationProperties { IsPersistent = false, AllowRefresh = true });
        LoggedIn(logger, info.Id, info.Role.ToText());
        return Results.Redirect(LocalReturn(form["return"].ToString()), permanent: false, preserveMethod: false);
    }

    private static async Task<IResult> LogoutAsync(HttpContext context)
    {
        if (!DashboardAuthentication.SameOrigin(context.Request))
        {
            return Problems.Result(StatusCodes.Status403Forbidden, "cross-site request", "sign out from the dashboard's own pages.");
        }

        await context.SignOutAsync(DashboardAuthentication.CookieScheme);
        return Results.Redirect("/login?signed_out=1");
    }

    /// <summary>A page for a browser signed in by the cookie; anyone else is sent to the login page (and back after).</summary>
    private static async Task<IResult> PageAsync(HttpContext context, string page)
    {
        var result = await context.AuthenticateAsync(DashboardAuthentication.CookieScheme);
        if (!result.Succeeded)
        {
            return Results.Redirect("/login?return=" + Uri.EscapeDataString(context.Request.Path + context.Request.QueryString));
        }

        return ServeAsset(context, $"pages/{page}.html");
    }

    /// <summary>The login page with an optional message (HTML-encoded) in place of its placeholder.</summary>
    private static IResult LoginPage(HttpContext context, string? message, int status)
    {
        var html = System.Text.Encoding.UTF8.GetString(Assets["pages/login.html"].Bytes);
        var returnTo = LocalReturn(context.Request.Query["return"].ToString());
        if (message is null && context.Request.Query.ContainsKey("signed_out"))
        {
            message = "Signed out.";
        }

        html = html.Replace("<!--message-->", message is null ? "" : $"<p class=\"message\" role=\"alert\">{WebUtility.HtmlEncode(message)}</p>", StringComparison.Ordinal)
            .Replace("__RETURN__", WebUtility.HtmlEncode(returnTo), StringComparison.Ordinal);
        SecurityHeaders(context.Response);
        context.Response.Headers.CacheControl = "no-store";
        return Results.Content(html, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
    }

    /// <summary>Only a dashboard path of this site (never another host, never a scheme-relative URL).</summary>
    internal static string LocalReturn(string? target) =>
        target is { Length: > 4 } t && t.StartsWith("/app/", StringComparison.Ordinal) && !t.Contains("//", StringComparison.Ordinal)
            && !t.Contains('\\', StringComparison.Ordinal) && t.All(c => c > ' ' && c < 127)
            ? t
            : "/app/chart";

    private static IResult ServeAsset(HttpContext context, string path)
    {
        if (!Assets.TryGetValue(path, out var asset))
        {
            return Problems.Result(StatusCodes.Status404NotFound, "no such file", $"the dashboard has no file '{path}'.");
        }

        var response = context.Response;
        SecurityHeaders(response);
        response.Headers.CacheControl = "no-cache";
        response.Headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Bytes, asset.ContentType);
    }

    private static void SecurityHeaders(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "same-origin";
    }

    private static FrozenDictionary<string, Asset> LoadAssets()
    {
        var assembly = typeof(DashboardEndpoints).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            var path = name.Replace('\\', '/');
            if (!path.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var relative = path[ResourcePrefix.Length..];
            assets[relative] = AssetOf(bytes, ContentTypes.GetValueOrDefault(Path.GetExtension(relative), "application/octet-stream"));
        }

        // Each page is the shell with its heading and script filled in, made once.
        var shell = System.Text.Encoding.UTF8.GetString(assets["pages/page.html"].Bytes);
        foreach (var (name, title, charts) in PageShells)
        {
            var html = shell.Replace("__TITLE__", WebUtility.HtmlEncode(title), StringComparison.Ordinal)
                .Replace("__CHARTS__", charts ? "<script src=\"/app/assets/vendor/lightweight-charts.standalone.production.js\"></script>\n" : "", StringComparison.Ordinal)
                .Replace("__PAGE__", name, StringComparison.Ordinal);
            assets[$"pages/{name}.html"] = AssetOf(System.Text.Encoding.UTF8.GetBytes(html), ContentTypes[".html"]);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "dashboard sign-in by API key {KeyId} ({Role})")]
    private static partial void LoggedIn(ILogger logger, string keyId, string role);

    [LoggerMessage(Level = LogLevel.Information, Message = "dashboard sign-in refused: API key {KeyId} unknown or revoked")]
    private static partial void LoginRefused(ILogger logger, string keyId);

    private static Asset AssetOf(byte[] bytes, string contentType) =>
        new(bytes, contentType, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
