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
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IApiKeyStore keys, ApiKeyUse use)
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

        ApiKeyInfo? info;
        try
        {
            info = await keys.VerifyAsync(key, Context.RequestAborted).ConfigureAwait(false);
            use.Remember(key, info);
        }
        catch (Exception e) when (ApiKeyUse.IsUnreachable(e) && !Context.RequestAborted.IsCancellationRequested)
        {
            // The store is down: a key it accepted moments ago still reads (readiness can then say why), any other waits.
            info = use.Recall(key) ?? throw new KeyStoreUnreachableException(e);
        }

        if (info is not null)
        {
            await use.RecordAsync(keys, info.Id, Logger, Context.RequestAborted).ConfigureAwait(false);
        }

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

/// <summary>What the service saw of its keys' use. It records when each key was last used in the store, at most once per
/// <see cref="RecordEvery"/> per key (a busy key costs one write a minute, not one a request), and the store keeps it to
/// once per <see cref="RecordEvery"/> between all the services on one database. And it remembers the keys
/// the store accepted within <see cref="RememberFor"/>, by the hash of the key (never the key), to authenticate them while
/// the store cannot be reached, so that a monitor's key still reads <c>/health/ready</c> and learns why the service is
/// not ready. The store is always asked first: a revocation acts at once while it answers (and cannot be made while it
/// does not).</summary>
public sealed partial class ApiKeyUse(TimeProvider time)
{
    /// <summary>How long an accepted key stays known while the store is down.</summary>
    public static readonly TimeSpan RememberFor = TimeSpan.FromMinutes(5);

    /// <summary>The least time between two writes of one key's last use.</summary>
    public static readonly TimeSpan RecordEvery = TimeSpan.FromMinutes(1);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (ApiKeyInfo Info, DateTime AtUtc)> _accepted = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTime> _recorded = new(StringComparer.Ordinal);

    /// <summary>True for a failure to reach the store (a database error, a timeout, the network), not for a bad key.</summary>
    public static bool IsUnreachable(Exception e) =>
        e is System.Data.Common.DbException or TimeoutException or IOException or System.Net.Sockets.SocketException or OperationCanceledException;

    internal void Remember(string key, ApiKeyInfo? info)
    {
        var hash = ApiKeyToken.Hash(key);
        if (info is null)
        {
            _accepted.TryRemove(hash, out _);
        }
        else
        {
            _accepted[hash] = (info, time.GetUtcNow().UtcDateTime);
        }
    }

    internal ApiKeyInfo? Recall(string key) =>
        _accepted.TryGetValue(ApiKeyToken.Hash(key), out var seen) && time.GetUtcNow().UtcDateTime - seen.AtUtc <= RememberFor ? seen.Info : null;

    /// <summary>Records the use of key <paramref name="id"/> now, unless this service recorded it less than
    /// <see cref="RecordEvery"/> ago. A failed write is logged and the request goes on: the time is a convenience.</summary>
    internal async Task RecordAsync(IApiKeyStore keys, string id, ILogger logger, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var due = true;
        _recorded.AddOrUpdate(id, now, (_, last) =>
        {
            due = now - last >= RecordEvery;
            return due ? now : last;
        });
        if (!due)
        {
            return;
        }

        try
        {
            await keys.RecordUseAsync(id, now, RecordEvery, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            _recorded.TryRemove(id, out _);
            NotRecorded(logger, id, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the last use of API key {Id} was not recorded: {Reason}")]
    private static partial void NotRecorded(ILogger logger, string id, string reason);
}

/// <summary>The API-key store could not be reached to check a key the service has not accepted lately: 503.</summary>
public sealed class KeyStoreUnreachableException(Exception inner)
    : Exception($"the API-key store cannot be reached ({inner.Message.ReplaceLineEndings(" ").Trim()}); retry later, or check the database (DATABASE_URL).", inner);
