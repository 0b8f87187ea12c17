using AiTrader.Core.Domain;

namespace AiTrader.MarketData.Streaming;

/// <summary>What a <see cref="StreamPayload"/> carries.</summary>
public enum StreamPayloadKind
{
    Bar,
    Trade,
    Quote,
}

/// <summary>Values of <see cref="StreamPayload.Source"/>: where a payload came from.</summary>
public static class StreamSources
{
    /// <summary>Received live on the WebSocket.</summary>
    public const string Stream = "stream";

    /// <summary>Fetched over HTTP to fill a minute the live stream did not deliver.</summary>
    public const string Backfill = "backfill";

    /// <summary>Played back from stored bars by <see cref="ReplayStream"/>.</summary>
    public const string Replay = "replay";
}

/// <summary>One trade print (Alpaca <c>t</c> message).</summary>
public sealed record StreamTrade(
    DateTime TimestampUtc,
    decimal Price,
    decimal Size,
    string? Exchange,
    long? TradeId,
    IReadOnlyList<string> Conditions,
    string? Tape);

/// <summary>One NBBO quote update (Alpaca <c>q</c> message); a side the vendor sends as 0 is null.</summary>
public sealed record StreamQuote(
    DateTime TimestampUtc,
    decimal? BidPrice,
    decimal BidSize,
    string? BidExchange,
    decimal? AskPrice,
    decimal AskSize,
    string? AskExchange,
    IReadOnlyList<string> Conditions,
    string? Tape);

/// <summary>A normalized streaming message: exactly one of <see cref="Bar"/>, <see cref="Trade"/>, <see cref="Quote"/> is set, per <see cref="Kind"/>.</summary>
/// <remarks>Bars are minute bars stamped at their UTC open with decimal OHLCV, the same convention as every vendor client.</remarks>
public sealed record StreamPayload(
    Symbol Symbol,
    StreamPayloadKind Kind,
    string Source,
    DateTime ReceivedAtUtc,
    Bar? Bar = null,
    StreamTrade? Trade = null,
    StreamQuote? Quote = null)
{
    /// <summary>Market time of the payload: the bar open, trade time or quote time (UTC).</summary>
    public DateTime TimestampUtc => Kind switch
    {
        StreamPayloadKind.Bar => Bar!.Value.Timestamp,
        StreamPayloadKind.Trade => Trade!.TimestampUtc,
        _ => Quote!.TimestampUtc,
    };

    public static StreamPayload ForBar(Symbol symbol, Bar bar, string source, DateTime receivedAtUtc) =>
        new(symbol, StreamPayloadKind.Bar, source, receivedAtUtc, Bar: bar);
}
