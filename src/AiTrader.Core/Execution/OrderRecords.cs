using AiTrader.Core.Domain;

namespace AiTrader.Core.Execution;

/// <summary>Why an order (or what was left of it) was cancelled.</summary>
public static class CancelReasons
{
    /// <summary>A day limit order, or the volume-capped remainder of an order, outlived its session.</summary>
    public const string SessionEnd = "session_end";

    /// <summary>An exit decided while an entry on that side was still working: the entry's rest is cancelled first.</summary>
    public const string Exit = "exit";

    /// <summary>A new entry on the same side replaced one still working.</summary>
    public const string Replaced = "replaced";

    /// <summary>A buy was cut to what the cash pays for; the rest can never be paid for.</summary>
    public const string InsufficientCash = "insufficient_cash";

    /// <summary>An exit found nothing left to close (a stop closed the position first).</summary>
    public const string NothingToClose = "nothing_to_close";

    /// <summary>An entry found the opposite position still open (its exit was only partly filled).</summary>
    public const string OppositePosition = "opposite_position";

    /// <summary>The protective stop of a position that is now flat.</summary>
    public const string PositionClosed = "position_closed";

    /// <summary>Working orders dropped when the data ended.</summary>
    public const string EndOfData = "end_of_data";

    /// <summary>Cancelled on request (an operator, or a broker front's cancel call).</summary>
    public const string Requested = "requested";

    /// <summary>How a report names the reason, for a person.</summary>
    public static string Describe(string reason) => reason switch
    {
        SessionEnd => "outlived its session",
        Exit => "superseded by an exit",
        Replaced => "replaced by a newer entry",
        InsufficientCash => "cut to the cash available",
        NothingToClose => "nothing left to close",
        OppositePosition => "the opposite position was still open",
        PositionClosed => "protective stop of a closed position",
        EndOfData => "working when the data ended",
        Requested => "cancelled on request",
        _ => reason,
    };
}

/// <summary>The unfilled <paramref name="Quantity"/> of order <paramref name="OrderId"/>, cancelled at
/// <paramref name="Timestamp"/>: the close of the session it worked in (<see cref="CancelReasons.SessionEnd"/>), the bar
/// that found it unfillable, or the decision that superseded it.</summary>
public sealed record Cancellation(string OrderId, decimal Quantity, DateTime Timestamp, string Reason);

/// <summary>A resting stop order moved to <paramref name="StopPrice"/> by the decision at <paramref name="Timestamp"/>
/// (it applies from the next bar).</summary>
public sealed record StopAmendment(string OrderId, DateTime Timestamp, decimal StopPrice, string Reason);

/// <summary>An intent the order router did not send: invalid for the account or position (<see cref="Rule"/> is
/// <c>router</c>), sized to nothing, or blocked by a guardrail (<see cref="Rule"/> is the guardrail's rule).</summary>
public sealed record Rejection(DateTime Timestamp, Symbol Symbol, OrderSide Side, decimal? Quantity, string Rule, string Reason);
