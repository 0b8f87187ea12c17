namespace AiTrader.Core.Brokers;

/// <summary>Why a broker call failed, in terms the execution agent can act on.</summary>
public enum BrokerErrorKind
{
    /// <summary>The broker refused the order or request (validation, 422); the message says why.</summary>
    Rejected,

    /// <summary>Refused by the broker's pattern-day-trader protection (Alpaca 403).</summary>
    PdtRejected,

    /// <summary>Not enough buying power for the order (Alpaca 403).</summary>
    InsufficientBuyingPower,

    /// <summary>Selling more shares than are held or available (Alpaca 403).</summary>
    InsufficientQuantity,

    /// <summary>The client order id is already in use; <see cref="IBroker.SubmitOrderAsync"/> resolves this itself.</summary>
    DuplicateClientOrderId,

    /// <summary>The order is already final (filled, cancelled, ...) and cannot be cancelled.</summary>
    NotCancelable,

    NotFound,
    RateLimited,
    Unauthorized,
    ServerError,
    Timeout,
    MalformedResponse,

    /// <summary>The client is set up wrongly (missing keys, live URL without the live flag).</summary>
    Configuration,
}

/// <summary>A failed broker call: a one-line message that never contains a key.</summary>
public sealed class BrokerException(
    string broker,
    BrokerErrorKind kind,
    string message,
    int? httpStatus = null,
    TimeSpan? retryAfter = null,
    Exception? inner = null) : Exception(message, inner)
{
    public string Broker { get; } = broker;

    public BrokerErrorKind Kind { get; } = kind;

    /// <summary>The HTTP status the broker answered with, when there was one.</summary>
    public int? HttpStatus { get; } = httpStatus;

    /// <summary>How long the broker asked us to wait (429), when it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>True for failures that may succeed when tried again later (rate limit, 5xx, timeout).</summary>
    public bool IsTransient => Kind is BrokerErrorKind.RateLimited or BrokerErrorKind.ServerError or BrokerErrorKind.Timeout;
}
