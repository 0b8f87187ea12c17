using AiTrader.Core.Domain;

namespace AiTrader.MarketData.Streaming;

/// <summary>Symbols per channel to subscribe on the Alpaca stream (minute bars, trades, quotes).</summary>
public sealed record StreamSubscription(
    IReadOnlyList<Symbol> Bars,
    IReadOnlyList<Symbol>? Trades = null,
    IReadOnlyList<Symbol>? Quotes = null)
{
    public static StreamSubscription BarsOnly(IReadOnlyList<Symbol> symbols) => new(symbols);
}
