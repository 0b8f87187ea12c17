using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Agents;

/// <summary>Tells each symbol's strategy that learns from its own trades (<see cref="ILearnsFromOwnTrades"/>) the round
/// trips of that symbol's fills, net of fees, in the order they closed, each once.</summary>
/// <remarks>
/// The symbols of a session share one account, so the cash a strategy could read its trades off moves with every
/// symbol's fills. The loop books every fill of the venue here (<see cref="RoundTripLedger"/>, the paper broker's own
/// pairing) and reports a symbol's newly closed round trips before that symbol's next decision. On a restart the fills
/// restored with the paper broker are booked first; while the strategies warm up on the bars already traded, a trade
/// is reported at the first warm-up bar at or after its exit, where it was reported before the restart.
/// </remarks>
internal sealed class OwnTradeReporter
{
    private readonly RoundTripLedger _ledger = new();
    private readonly Dictionary<Symbol, ILearnsFromOwnTrades> _learners = [];
    private readonly Dictionary<Symbol, Queue<TradeRecord>> _unreported = [];

    /// <summary>Switches every learning strategy of <paramref name="policies"/> (just reset) to reported trades.</summary>
    public OwnTradeReporter(IReadOnlyDictionary<Symbol, PolicyAgent> policies)
    {
        foreach (var (symbol, policy) in policies)
        {
            if (policy.Strategy is ILearnsFromOwnTrades learner)
            {
                learner.UseReportedTrades();
                _learners[symbol] = learner;
                _unreported[symbol] = new Queue<TradeRecord>();
            }
        }
    }

    /// <summary>Starts <paramref name="symbol"/> at the venue's position when none of its fills explain it (a real
    /// account's position from before the run): the trade that closes it has no known cost and is not reported.</summary>
    public void CarryUnexplained(Symbol symbol, decimal venuePosition)
    {
        if (_ledger.PositionOf(symbol) == 0 && venuePosition != 0)
        {
            _ledger.Carry(symbol, venuePosition);
        }
    }

    /// <summary>Books one fill of the venue (any symbol); a round trip it closes waits for its symbol's next decision.</summary>
    public void Book(Fill fill, string reason = "")
    {
        if (_ledger.Book(fill, reason) is { } trade && _unreported.TryGetValue(trade.Symbol, out var queue))
        {
            queue.Enqueue(trade);
        }
    }

    /// <summary>Reports <paramref name="symbol"/>'s round trips not yet reported, oldest first; with
    /// <paramref name="closedBy"/>, only those that closed at or before it (a warm-up bar's time).</summary>
    public void Report(Symbol symbol, DateTime? closedBy = null)
    {
        if (!_unreported.TryGetValue(symbol, out var queue))
        {
            return;
        }

        while (queue.TryPeek(out var trade) && (closedBy is not { } t || trade.ExitTime <= t))
        {
            queue.Dequeue();
            _learners[symbol].OnTradeClosed(trade.Pnl);
        }
    }
}
