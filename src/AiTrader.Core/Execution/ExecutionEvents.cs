using AiTrader.Core.Domain;

namespace AiTrader.Core.Execution;

/// <summary>What happened to an order at a venue.</summary>
public enum ExecutionEventKind
{
    /// <summary>The venue took the order.</summary>
    Accepted,

    /// <summary>An execution (the whole rest of the order, or part of it).</summary>
    Fill,

    /// <summary>The order, or what was left of it, was cancelled.</summary>
    Cancelled,

    /// <summary>The venue refused the order.</summary>
    Rejected,

    /// <summary>A resting stop was moved (amended in place, or replaced at a broker that replaces).</summary>
    StopMoved,
}

/// <summary>One event of a venue, in the order it happened: what the loop tells the strategies, the sizing stage and the
/// guardrails, and what the journal records.</summary>
/// <param name="Order">The order as it was sent (its stop level is the one it was sent with; see <paramref name="Price"/>).</param>
/// <param name="Fill">The execution with its commission, for fills.</param>
/// <param name="ClosedTrade">The round trip this fill closed, if it closed one (paired by <see cref="RoundTripLedger"/>).</param>
/// <param name="Reason">Why: the exit reason of a closing fill (signal, stop), the cancel or reject reason, the stop move's reason.</param>
/// <param name="FilledQuantity">Shares of the order filled so far (after this event).</param>
/// <param name="IsComplete">For a fill: the order has nothing left to fill.</param>
/// <param name="Price">For a stop move, the new level.</param>
/// <param name="ExecutionId">Unique per execution of the order (journal idempotency).</param>
public sealed record ExecutionEvent(
    ExecutionEventKind Kind,
    DateTime Timestamp,
    Order Order,
    string? ClientOrderId,
    Fill? Fill = null,
    TradeRecord? ClosedTrade = null,
    string Reason = "",
    decimal FilledQuantity = 0m,
    bool IsComplete = false,
    decimal? Price = null,
    string? ExecutionId = null)
{
    public Symbol Symbol => Order.Symbol;
}

/// <summary>An entry for the venue: open (or add to) a position, at market or at a limit, with the protective stop
/// that rests from the moment the entry fills.</summary>
public sealed record EntryTicket(
    Symbol Symbol,
    OrderSide Side,
    decimal Quantity,
    decimal? LimitPrice,
    decimal? StopPrice,
    DateTime DecisionTime,
    string Reason,
    string? ClientOrderId = null,
    string? StopClientOrderId = null);

/// <summary>An exit for the venue: close the whole position at market.</summary>
public sealed record ExitTicket(Symbol Symbol, OrderSide Side, decimal Quantity, DateTime DecisionTime, string Reason,
    string? ClientOrderId = null);

/// <summary>Move the protective stop of <paramref name="Symbol"/>'s position (or of its working entry) to
/// <paramref name="StopPrice"/>.</summary>
/// <remarks>A value type: stops trail on many bars, and a move should not allocate.</remarks>
public readonly record struct StopTicket(Symbol Symbol, OrderSide Side, decimal StopPrice, DateTime DecisionTime, string Reason,
    string? ClientOrderId = null);

/// <summary>The account and order book the order router decides against, and the commands it sends: the simulated
/// exchange in backtests and paper trading, a broker adapter live.</summary>
public interface IOrderVenue
{
    decimal Cash { get; }

    /// <summary>Cash plus every position at its mark.</summary>
    decimal Equity { get; }

    /// <summary>Signed shares held (0 = flat).</summary>
    decimal PositionOf(Symbol symbol);

    /// <summary>The level of the symbol's resting protective stop, or null.</summary>
    decimal? ProtectiveStopOf(Symbol symbol);

    /// <summary>True when an entry on <paramref name="side"/> is still working for <paramref name="symbol"/>.</summary>
    bool HasWorkingEntry(Symbol symbol, OrderSide side);

    /// <summary>True when an exit on <paramref name="side"/> is still working for <paramref name="symbol"/>.</summary>
    bool HasWorkingExit(Symbol symbol, OrderSide side);

    /// <summary>Cancels what is left of every working entry on <paramref name="side"/>.</summary>
    void CancelWorkingEntries(Symbol symbol, OrderSide side, DateTime at, string reason);

    void SubmitEntry(EntryTicket ticket);

    void SubmitExit(ExitTicket ticket);

    void MoveStop(in StopTicket ticket);

    /// <summary>The account as guardrails see it: equity, cash, positions at their marks.</summary>
    Risk.AccountSnapshot Snapshot();
}

/// <summary>A venue the trading loop drives: it is told the bars' closes (marks) and session ends and hands back its events.</summary>
public interface IExecutionVenue : IOrderVenue
{
    /// <summary>The symbol's latest good close, its mark for equity.</summary>
    void Mark(Symbol symbol, decimal close);

    /// <summary>The events since the last <see cref="ClearEvents"/>, in order.</summary>
    IReadOnlyList<ExecutionEvent> PendingEvents { get; }

    void ClearEvents();

    /// <summary>The session that closed at <paramref name="closeUtc"/> is over: what is left of orders that worked in it
    /// (day limits, volume-capped remainders) is cancelled, stamped at that close.</summary>
    void EndSession(DateTime closeUtc);
}
