using AiTrader.Core.MarketData;

namespace AiTrader.MarketData;

/// <summary>Why a vendor call failed, in terms a fallback chain can act on.</summary>
public enum VendorErrorKind
{
    RateLimited,
    Unauthorized,
    NotFound,
    BadRequest,
    ServerError,
    Timeout,
    MalformedResponse,
    Unsupported,

    /// <summary>A daily (or other long-window) quota is used up: retrying today cannot help, so it is never retried.</summary>
    QuotaExhausted,
}

/// <summary>The names of <see cref="VendorErrorKind"/> outside the code: metrics, the health page, the docs.</summary>
public static class VendorErrorKinds
{
    /// <summary><c>RateLimited</c> → <c>rate_limited</c>, <c>QuotaExhausted</c> → <c>quota_exhausted</c>, ...</summary>
    public static string ToText(this VendorErrorKind kind) => kind switch
    {
        VendorErrorKind.RateLimited => "rate_limited",
        VendorErrorKind.Unauthorized => "unauthorized",
        VendorErrorKind.NotFound => "not_found",
        VendorErrorKind.BadRequest => "bad_request",
        VendorErrorKind.ServerError => "server_error",
        VendorErrorKind.Timeout => "timeout",
        VendorErrorKind.MalformedResponse => "malformed_response",
        VendorErrorKind.Unsupported => "unsupported",
        VendorErrorKind.QuotaExhausted => "quota_exhausted",
        _ => kind.ToString(),
    };
}

/// <summary>A failed vendor call: one-line message naming the vendor and the fix, never containing a key.</summary>
public sealed class VendorException(
    string vendor,
    VendorErrorKind kind,
    string message,
    TimeSpan? retryAfter = null,
    Exception? inner = null) : MarketDataException(message, inner)
{
    public string Vendor { get; } = vendor;

    public VendorErrorKind Kind { get; } = kind;

    /// <summary>Server-requested wait (Retry-After header) when the vendor sent one.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>True for failures that may succeed when tried again later (rate limit, 5xx, timeout).</summary>
    public bool IsTransient => Kind is VendorErrorKind.RateLimited or VendorErrorKind.ServerError or VendorErrorKind.Timeout;
}
