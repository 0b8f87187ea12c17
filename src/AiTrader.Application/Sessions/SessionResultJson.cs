namespace AiTrader.Application.Sessions;

/// <summary>A paper session's end state as one JSON document: the service's session result (<c>session.json</c>) and
/// <c>aitrader trade --json</c>.</summary>
public static class SessionResultJson
{
    /// <summary>The result of a finished paper session (replayed or on the live stream: the simulated exchange's
    /// figures); <paramref name="stream"/> adds why and after how many stream bars it stopped.</summary>
    public static string Write(TradingSessionOutcome outcome, bool stream)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return JsonText.Write(json =>
        {
            var result = outcome.Result;
            var exchange = result.Exchange ?? throw new ArgumentException("a session at a broker has no simulated exchange to report.", nameof(outcome));
            json.WriteStartObject();
            json.WriteString("run_id", outcome.RunId);
            json.WriteBoolean("resumed", outcome.Resumed);
            if (stream)
            {
                json.WriteString("stop_reason", outcome.StopReason);
                json.WriteNumber("stream_bars", outcome.StreamBars);
            }

            json.WriteNumber("bars", result.BarsProcessed);
            json.WriteNumber("orders", exchange.AllOrders.Count);
            json.WriteNumber("fills", exchange.Fills.Count);
            json.WriteNumber("round_trips", exchange.Trades.Count);
            json.WriteNumber("rejections", result.Rejections.Count);
            json.WriteStartObject("blocks");
            foreach (var (rule, n) in result.BlocksByRule)
            {
                json.WriteNumber(rule, n);
            }

            json.WriteEndObject();
            json.WriteStartArray("open_positions");
            foreach (var book in exchange.Books.Where(b => b.Sign != 0))
            {
                json.WriteStartObject();
                json.WriteString("symbol", book.Symbol.Value);
                json.WriteNumber("quantity", book.Position);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteNumber("final_equity", result.FinalEquity);
            json.WriteEndObject();
        });
    }
}
