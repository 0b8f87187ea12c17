using System.Security.Claims;
using AiTrader.Storage.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace AiTrader.Service.Dashboard;

/// <summary>Browser sign-in for the dashboard: a person pastes an API key at <c>/login</c>, the service verifies it against
/// the same key store and sets an HTTP-only, SameSite=Strict cookie (Secure over https) that carries the key's id, name
/// and role, never the key (the cookie holds only a session token; the service keeps the sign-in in the platform
/// database, so signing out ends it for good and a restart keeps it). The API accepts either the key headers or the cookie; every request with the cookie looks the
/// key id up again, so revoking a key ends its browser sessions at once. Cookie-authenticated requests that change state
/// must carry <c>X-Requested-With: aitrader-dashboard</c> (a header no cross-site form or plain link can send).</summary>
public static partial class DashboardAuthentication
{
    /// <summary>The cookie scheme.</summary>
    public const string CookieScheme = "DashboardCookie";

    /// <summary>The default scheme: the API key when a request carries one, else the dashboard cookie when it carries that.</summary>
    public const string CombinedScheme = "ApiKeyOrCookie";

    public const string CookieName = "aitrader_session";

    /// <summary>The anti-CSRF header a cookie-authenticated POST, PUT, PATCH or DELETE must carry, and its value.</summary>
    public const string CsrfHeader = "X-Requested-With";

    public const string CsrfValue = "aitrader-dashboard";

    /// <summary>How long a browser session lasts without use (sliding).</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    /// <summary>Adds the cookie scheme next to the API-key scheme and makes the combined scheme the default.</summary>
    public static AuthenticationBuilder AddDashboardCookie(this AuthenticationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<AuthenticationOptions>(o => o.DefaultScheme = CombinedScheme);
        // Sign-ins are kept beside the API keys (the same database): a restart keeps browsers signed in.
        builder.Services.TryAddSingleton<IDashboardSessionStore>(services => services.GetRequiredService<IApiKeyStore>() as IDashboardSessionStore
            ?? throw new InvalidOperationException("The API key store keeps no dashboard sessions; register an IDashboardSessionStore."));
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieScheme).Configure<IDashboardSessionStore, TimeProvider>((o, store, time) =>
            o.SessionStore = new DashboardSessions(store, time));
        builder.AddPolicyScheme(CombinedScheme, "API key or dashboard cookie", o => o.ForwardDefaultSelector = context =>
            ApiKeyAuthenticationHandler.KeyOf(context.Request) is null && context.Request.Cookies.ContainsKey(CookieName)
                ? CookieScheme
                : ApiKeyAuthenticationHandler.SchemeName);
        builder.AddCookie(CookieScheme, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = "/";
            o.ExpireTimeSpan = SessionLifetime;
            o.SlidingExpiration = true;
            o.LoginPath = "/login";
            o.ReturnUrlParameter = "return";
            o.Events = new CookieAuthenticationEvents
            {
                OnValidatePrincipal = ValidateAsync,
                OnRedirectToLogin = context => IsPage(context.Request)
                    ? Redirect(context.Response, "/login?return=" + Uri.EscapeDataString(context.Request.Path + context.Request.QueryString))
                    : Problems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "signed out",
                        "the dashboard session ended (signed out, expired, or its API key was revoked); sign in again at /login."),
                OnRedirectToAccessDenied = context => Problems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden,
                    "trader role required",
                    "this action needs a key with the trader role; sign in with one (`aitrader apikey create --name NAME --role trader`)."),
            };
        });
        return builder;
    }

    /// <summary>Refuses a cookie-authenticated request that changes state without the anti-CSRF header, or from another
    /// origin. Goes after <c>UseAuthentication</c>.</summary>
    public static void UseDashboardCsrfGuard(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            // /login and /logout check the origin themselves (a plain form posts them).
            if (ChangesState(context.Request.Method) && !context.Request.Path.StartsWithSegments("/login")
                && !context.Request.Path.StartsWithSegments("/logout") && context.User.Identity is { IsAuthenticated: true, AuthenticationType: CookieScheme })
            {
                if (!string.Equals(context.Request.Headers[CsrfHeader].ToString(), CsrfValue, StringComparison.Ordinal))
                {
                    await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "anti-CSRF header required",
                        $"a request signed in by the dashboard cookie that changes state must carry '{CsrfHeader}: {CsrfValue}' (the dashboard's pages send it); scripts can send an API key instead.");
                    return;
                }

                if (!SameOrigin(context.Request))
                {
                    await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "cross-site request",
                        "the request comes from another site; the dashboard acts only from its own pages.");
                    return;
                }
            }

            await next(context);
        });
    }

    /// <summary>The principal a verified key signs in as (the same claims the API-key scheme gives).</summary>
    internal static ClaimsPrincipal PrincipalOf(ApiKeyInfo info) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.NameIdentifier, info.Id), new Claim(ClaimTypes.Name, info.Name), new Claim(ClaimTypes.Role, info.Role.ToText())],
        CookieScheme));

    internal static bool ChangesState(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    /// <summary>False when the browser says the request comes from another site (Origin or Sec-Fetch-Site); true when it
    /// does not say (non-browser clients).</summary>
    internal static bool SameOrigin(HttpRequest request)
    {
        // Browsers send Sec-Fetch-Site: "same-origin" from this site's pages, "none" when a person typed the address.
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is "same-origin" or "none";
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A dashboard page (redirected to the login page) rather than the API (answered with a problem).</summary>
    internal static bool IsPage(HttpRequest request) =>
        request.Path == "/" || (request.Path.StartsWithSegments("/app") && !request.Path.StartsWithSegments("/app/me"));

    private static Task Redirect(HttpResponse response, string location)
    {
        response.StatusCode = StatusCodes.Status302Found;
        response.Headers.Location = location;
        return Task.CompletedTask;
    }

    /// <summary>Looks the cookie's key id up in the key store on every request: a revoked or deleted key signs the browser out.</summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var keys = context.HttpContext.RequestServices.GetRequiredService<IApiKeyStore>();
        var info = id is null ? null : (await keys.ListAsync(context.HttpContext.RequestAborted)).FirstOrDefault(k => k.Id == id);
        if (info is null || info.IsRevoked)
        {
            Refused(context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("AiTrader.Service.Dashboard"), id ?? "(none)");
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme);
            return;
        }

        // A signed-in browser uses its key as a header would.
        await context.HttpContext.RequestServices.GetRequiredService<ApiKeyUse>().RecordAsync(keys, info.Id,
            context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("AiTrader.Service.Dashboard"), context.HttpContext.RequestAborted);
        if (context.Principal!.FindFirstValue(ClaimTypes.Role) != info.Role.ToText())
        {
            context.ReplacePrincipal(PrincipalOf(info));
            context.ShouldRenew = true;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "dashboard session of API key {KeyId} ended: the key is unknown or revoked")]
    private static partial void Refused(ILogger logger, string keyId);
}
