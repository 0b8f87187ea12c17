using AiTrader.Core.MarketData;

namespace AiTrader.MarketData.Streaming;

/// <summary>A streaming failure with a one-line, key-free message; <see cref="IsRetryable"/> says whether reconnecting can help.</summary>
public sealed class AlpacaStreamException(string message, int? code, bool isRetryable, Exception? inner = null)
    : MarketDataException(message, inner)
{
    /// <summary>Alpaca's error code (402 auth failed, 406 connection limit, ...) when the server sent one.</summary>
    public int? Code { get; } = code;

    /// <summary>True for drops, timeouts and server-side trouble; false for bad keys, plan limits and protocol errors.</summary>
    public bool IsRetryable { get; } = isRetryable;
}
