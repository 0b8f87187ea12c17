using AiTrader.Core.Brokers;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Agents;

/// <summary>One broker event for the loop to journal: the update, the execution it reports (fills only) and why it happened.</summary>
/// <param name="Fill">The execution with its commission, for fills and partial fills; null for other events.</param>
/// <param name="Reason">Why a closing fill happened (signal, stop), when the venue knows; empty otherwise.</param>
public sealed record VenueEvent(TradeUpdate Update, Fill? Fill, string Reason = "");

/// <summary>Where the session loop trades: a broker plus the account view the agents decide on.</summary>
/// <remarks>The paper venue executes resting orders against each bar itself; a live venue only marks prices, learns
/// of fills from the broker's trade-updates stream and refreshes positions and cash from the broker once per bar time.</remarks>
public interface ITradingVenue : IAsyncDisposable
{
    IBroker Broker { get; }

    /// <summary>Paper: executes what rests for <paramref name="symbol"/> against <paramref name="bar"/>. Live: marks the symbol at the bar's close.</summary>
    void OnBar(Symbol symbol, Bar bar);

    /// <summary>Brings cash, positions and resting stops up to date before the agents decide (live: one broker round trip).</summary>
    Task RefreshAsync(CancellationToken cancellationToken);

    decimal Cash { get; }

    /// <summary>Cash plus positions at their marks.</summary>
    decimal Equity { get; }

    /// <summary>Signed position quantity of <paramref name="symbol"/> (0 = flat).</summary>
    decimal PositionOf(Symbol symbol);

    /// <summary>The stop level of <paramref name="symbol"/>'s resting protective stop, or null.</summary>
    decimal? ProtectiveStop(Symbol symbol);

    /// <summary>Takes the broker events that arrived since the last call, in order.</summary>
    IReadOnlyList<VenueEvent> DrainEvents();

    /// <summary>The last bar time the loop finished at this venue (restart cursor); null when it starts fresh.</summary>
    DateTime? LastProcessedUtc { get; set; }

    /// <summary>The session closed at <paramref name="closeUtc"/>: the paper broker cancels what is left of orders that
    /// started filling in it (volume-capped); a real broker expires day orders itself.</summary>
    void EndSession(DateTime closeUtc);

    /// <summary>Persists the venue after a bar time (the paper broker's snapshot); a no-op where the broker keeps the state.</summary>
    void Checkpoint();
}
