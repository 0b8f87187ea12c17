namespace AiTrader.Application.Sessions;

/// <summary>A session's end state as one JSON document: the service's session result (<c>session.json</c>) and
/// <c>aitrader trade --json</c> (a session at a broker, <c>trade --live</c>, too: the same keys, its orders and fills as the
/// session saw them, its positions as the broker reports them, no round trips, and <c>broker</c>).</summary>
public static class SessionResultJson
{
    /// <summary>The result of a finished paper session (replayed or on the live stream: the simulated exchange's
    /// figures), or of a session at a broker with <paramref name="brokerPositions"/> (its open positions, read from the
    /// broker); <paramref name="stream"/> adds why and after how many stream bars it stopped.</summary>
    public static string Write(TradingSessionOutcome outcome, bool stream, IReadOnlyList<(string Symbol, decimal Quantity)>? brokerPositions = null)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return JsonText.Write(json =>
        {
            var result = outcome.Result;
            var exchange = result.Exchange;
            IReadOnlyList<(string Symbol, decimal Quantity)> positions = exchange is not null
                ? exchange.Books.Where(b => b.Sign != 0).Select(b => (Symbol: b.Symbol.Value, Quantity: b.Position)).ToList()
                : brokerPositions ?? throw new ArgumentException("a session at a broker needs the broker's positions to report.", nameof(brokerPositions));
            json.WriteStartObject();
            json.WriteString("run_id", outcome.RunId);
            json.WriteBoolean("resumed", outcome.Resumed);
            if (stream)
            {
                json.WriteString("stop_reason", outcome.StopReason);
                json.WriteNumber("stream_bars", outcome.StreamBars);
            }

            if (exchange is null)
            {
                json.WriteString("broker", ((Core.Execution.BrokerVenue)result.Venue).Broker.Name);
            }

            json.WriteNumber("bars", result.BarsProcessed);
            json.WriteNumber("orders", exchange?.AllOrders.Count ?? result.OrdersSubmitted);
            json.WriteNumber("fills", exchange?.Fills.Count ?? result.FillsSeen);
            if (exchange is null)
            {
                json.WriteNull("round_trips");
            }
            else
            {
                json.WriteNumber("round_trips", exchange.Trades.Count);
            }

            json.WriteNumber("rejections", result.Rejections.Count);
            json.WriteStartObject("blocks");
            foreach (var (rule, n) in result.BlocksByRule)
            {
                json.WriteNumber(rule, n);
            }

            json.WriteEndObject();
            json.WriteObjects("open_positions", positions, (w, p) =>
            {
                w.WriteString("symbol", p.Symbol);
                w.WriteNumber("quantity", p.Quantity);
            });
            json.WriteNumber("final_equity", result.FinalEquity);
            json.WriteEndObject();
        });
    }
}
