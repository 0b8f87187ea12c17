using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace AiTrader.Storage.Security;

/// <summary>What an API key may do.</summary>
public enum ApiKeyRole
{
    /// <summary>Reads: bars, signals, results, sessions, the journal.</summary>
    ReadOnly,

    /// <summary>Also acts: submits and cancels jobs and sessions, builds watchlists, engages or releases the kill switch, resets halts.</summary>
    Trader,
}

/// <summary>Text names of <see cref="ApiKeyRole"/> (<c>read</c>, <c>trader</c>), as stored and as typed.</summary>
public static class ApiKeyRoles
{
    public static readonly IReadOnlyList<string> Names = ["read", "trader"];

    public static string ToText(this ApiKeyRole role) => role == ApiKeyRole.Trader ? "trader" : "read";

    public static bool TryParse(string? text, out ApiKeyRole role)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "read" or "read-only" or "readonly":
                role = ApiKeyRole.ReadOnly;
                return true;
            case "trader":
                role = ApiKeyRole.Trader;
                return true;
            default:
                role = default;
                return false;
        }
    }
}

/// <summary>A stored key as listed: everything but the secret, which is never stored (only its hash).</summary>
/// <param name="Id">The public part of the key (12 hex digits): names the key in lists, logs and revocations.</param>
/// <param name="Name">What the key is for, as given at creation.</param>
/// <param name="Role">What it may do.</param>
/// <param name="CreatedUtc">When it was created.</param>
/// <param name="RevokedUtc">When it was revoked; null while it is valid.</param>
/// <param name="LastUsedUtc">When the service last accepted it, as recorded (at most about once a minute); null if never.</param>
public sealed record ApiKeyInfo(string Id, string Name, ApiKeyRole Role, DateTime CreatedUtc, DateTime? RevokedUtc, DateTime? LastUsedUtc = null)
{
    public bool IsRevoked => RevokedUtc is not null;
}

/// <summary>The key format, <c>ait_&lt;id&gt;_&lt;secret&gt;</c>: a 12-hex-digit id that is safe to show and 32 random
/// bytes (base64url) of secret, and the hash that is stored in place of the key.</summary>
/// <remarks>The hash is SHA-256 of the whole key. A key carries 256 random bits, so a fast hash is enough (nobody can
/// guess a key from its hash by trying candidates, as one could a password, which is why passwords need a slow
/// hash); checking a request then costs microseconds. Comparison is constant-time.</remarks>
public static class ApiKeyToken
{
    public const string Prefix = "ait_";
    private const int IdBytes = 6;
    private const int SecretBytes = 32;

    /// <summary>A new random key and its id.</summary>
    public static (string Id, string Key) Generate()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdBytes));
        var secret = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));
        return (id, $"{Prefix}{id}_{secret}");
    }

    /// <summary>The id of a well-formed key; false for anything else (no key text is echoed back).</summary>
    public static bool TryGetId(string? key, out string id)
    {
        id = string.Empty;
        if (key is null || !key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length != Prefix.Length + 2 * IdBytes + 1 + 43
            || key[Prefix.Length + 2 * IdBytes] != '_')
        {
            return false;
        }

        var candidate = key.Substring(Prefix.Length, 2 * IdBytes);
        if (!candidate.All(char.IsAsciiHexDigitLower))
        {
            return false;
        }

        id = candidate;
        return true;
    }

    /// <summary>SHA-256 of the key, lower-case hex: what the store keeps.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>Whether <paramref name="key"/> hashes to <paramref name="storedHash"/>, compared in constant time.</summary>
    public static bool Matches(string key, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(key)), Encoding.ASCII.GetBytes(storedHash));
}
