using System.Security.Claims;
using System.Text.Encodings.Web;
using AiTrader.Storage.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiTrader.Service;

/// <summary>Authenticates a request by its API key (<c>Authorization: Bearer ait_...</c> or <c>X-Api-Key</c>), checked
/// against the key store (hashes only). The key itself is never logged: failures log the key's id at most.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    /// <summary>Policy for every authenticated key.</summary>
    public const string ReadPolicy = "read";

    /// <summary>Policy for keys with the trader role.</summary>
    public const string TraderPolicy = "trader";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = KeyOf(Request);
        if (key is null)
        {
            return AuthenticateResult.NoResult();
        }

        var info = await keys.VerifyAsync(key, Context.RequestAborted).ConfigureAwait(false);
        if (info is null)
        {
            // Never the key text: the id when the key is well formed, else nothing.
            return AuthenticateResult.Fail(ApiKeyToken.TryGetId(key, out var id) ? $"API key {id} is unknown or revoked" : "malformed API key");
        }

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, info.Id), new Claim(ClaimTypes.Name, info.Name), new Claim(ClaimTypes.Role, info.Role.ToText())],
            SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "API key required",
            "send an API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'; create one with `aitrader apikey create --name NAME`.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, StatusCodes.Status403Forbidden, "trader role required",
            "this action needs a key with the trader role; create one with `aitrader apikey create --name NAME --role trader`.");

    /// <summary>The key a request carries, or null.</summary>
    internal static string? KeyOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        var apiKey = request.Headers[HeaderName].ToString();
        return apiKey.Length > 0 ? apiKey.Trim() : null;
    }
}
