using System.Security.Cryptography;
using System.Text;

namespace AiTrader.Service;

/// <summary>How a webhook delivery is signed, in one place for the service that checks it and for
/// <c>aitrader webhook sign</c> that makes it: <c>X-Signature: sha256=&lt;hex HMAC-SHA256 of the raw body&gt;</c> under
/// the shared secret <see cref="SecretVariable"/>, with <c>X-Timestamp</c>, the Unix time in seconds of the signing.</summary>
public static class WebhookSignature
{
    /// <summary>The shared secret that signs deliveries; the endpoint refuses everything while it is unset.</summary>
    public const string SecretVariable = "AITRADER_WEBHOOK_SECRET";

    /// <summary>The shortest secret accepted (32 characters: <c>aitrader webhook secret</c> gives 64).</summary>
    public const int MinimumSecretLength = 32;

    /// <summary>The header carrying the signature, and its prefix.</summary>
    public const string SignatureHeader = "X-Signature", Prefix = "sha256=";

    /// <summary>The header carrying the time of signing (Unix seconds).</summary>
    public const string TimestampHeader = "X-Timestamp";

    /// <summary>How far X-Timestamp may be from the service's clock, either way.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    /// <summary>The secret from <paramref name="env"/> as bytes, or null when unset.</summary>
    /// <exception cref="ArgumentException">Set but shorter than <see cref="MinimumSecretLength"/>.</exception>
    public static byte[]? SecretFrom(Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(env);
        var secret = env(SecretVariable);
        if (string.IsNullOrEmpty(secret))
        {
            return null;
        }

        return secret.Trim().Length < MinimumSecretLength
            ? throw new ArgumentException($"{SecretVariable} must be at least {MinimumSecretLength} characters; generate one with `aitrader webhook secret`.")
            : Encoding.UTF8.GetBytes(secret.Trim());
    }

    /// <summary>A new random secret: 32 bytes as 64 lower-case hex digits.</summary>
    public static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>The <see cref="SignatureHeader"/> value for <paramref name="body"/>: <c>sha256=</c> and 64 hex digits.</summary>
    public static string Sign(byte[] secret, ReadOnlySpan<byte> body) => Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body));

    /// <summary>True when <paramref name="header"/> is the signature of <paramref name="body"/>; compared in constant
    /// time, so the answer's timing says nothing about how much of a forged signature was right.</summary>
    public static bool Matches(string header, byte[] secret, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || header.Length != Prefix.Length + 64)
        {
            return false;
        }

        byte[] sent;
        try
        {
            sent = Convert.FromHexString(header.AsSpan(Prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(sent, HMACSHA256.HashData(secret, body));
    }
}
