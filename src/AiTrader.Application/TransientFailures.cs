using System.Data.Common;
using AiTrader.Core.Brokers;
using AiTrader.Core.Watchlists;
using AiTrader.MarketData;
using AiTrader.MarketData.Streaming;

namespace AiTrader.Application;

/// <summary>Failures upstream that may pass on their own, so the same request later may succeed: a vendor's rate limit,
/// server error or timeout (every vendor of a chain so), a broker's, a live stream that dropped and did not come back,
/// a database the connection could not reach. The CLI exits 75 (EX_TEMPFAIL, "retry later") on them.</summary>
public static class TransientFailures
{
    public static bool IsTransient(Exception e) => e switch
    {
        VendorException vendor => vendor.IsTransient,
        VendorChainException chain => chain.IsTransient,
        BrokerException broker => broker.IsTransient,
        // A stream that gave up reconnecting carries the drop that made it give up.
        AlpacaStreamException stream => stream.IsRetryable || (stream.InnerException is { } cause && IsTransient(cause)),
        WatchlistSourceException source => source.Failure == WatchlistSourceFailure.RateLimited,
        DbException database => database.IsTransient,
        TemporaryFailureException => true,
        _ => e.InnerException is { } inner && IsTransient(inner),
    };
}

/// <summary>A transient failure restated in a surface's words (what to check), with the failure itself inside.</summary>
public sealed class TemporaryFailureException(string message, Exception inner) : Exception(message, inner);
