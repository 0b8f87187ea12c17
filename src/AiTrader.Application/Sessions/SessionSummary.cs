using System.Globalization;
using System.Text;
using AiTrader.Core.Agents;
using AiTrader.Core.Execution;

namespace AiTrader.Application.Sessions;

/// <summary>The table <c>aitrader trade</c> prints at a session's end (bars, orders, fills, round trips, blocks by rule,
/// open positions, final equity), in one place for the single-machine run and a run driven on a cluster's silo.</summary>
public static class SessionSummary
{
    /// <summary>The summary's lines of <paramref name="result"/>, each ending in a newline; <paramref name="openPositions"/>
    /// are "SYMBOL quantity" (the paper exchange's, <see cref="PaperPositions"/>, or a broker's).</summary>
    public static string Format(TradingSessionResult result, IEnumerable<string> openPositions)
    {
        ArgumentNullException.ThrowIfNull(result);
        var exchange = result.Exchange;
        var text = new StringBuilder();
        Row("bars", result.BarsProcessed.ToString(CultureInfo.InvariantCulture));
        Row("orders", (exchange?.AllOrders.Count ?? result.OrdersSubmitted).ToString(CultureInfo.InvariantCulture));
        Row("fills", (exchange?.Fills.Count ?? result.FillsSeen).ToString(CultureInfo.InvariantCulture));
        if (exchange is not null)
        {
            Row("round trips", exchange.Trades.Count.ToString(CultureInfo.InvariantCulture));
        }

        Row("blocks", result.BlocksByRule.Values.Sum().ToString(CultureInfo.InvariantCulture));
        foreach (var (rule, n) in result.BlocksByRule)
        {
            Row("  " + rule, n.ToString(CultureInfo.InvariantCulture));
        }

        var open = string.Join(", ", openPositions);
        Row("open positions", open.Length > 0 ? open : "none");
        Row("final equity", Money(result.FinalEquity));
        return text.ToString();

        void Row(string label, string value) => text.Append(CultureInfo.InvariantCulture, $"{label,-16}{value,14}\n");
    }

    /// <summary>The paper exchange's open positions as "SYMBOL quantity".</summary>
    public static IEnumerable<string> PaperPositions(SimulatedExchange exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        return exchange.Books.Where(b => b.Sign != 0).Select(b => FormattableString.Invariant($"{b.Symbol} {b.Position}"));
    }

    /// <summary>An amount as the summary and the session's first line write it: $100,000.00.</summary>
    public static string Money(decimal amount) => amount.ToString("$#,##0.00", CultureInfo.InvariantCulture);
}
