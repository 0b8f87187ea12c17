using AiTrader.Core.Agents;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Risk;

namespace AiTrader.Application.Sessions;

/// <summary>A session about to trade: its run (new or resumed), the watchlist it trades and its dates; on the stream,
/// the stream's address and, at a broker, the broker.</summary>
public sealed record SessionStart(string RunId, bool Resuming, IReadOnlyList<Symbol> Symbols, DateOnly From, DateOnly To,
    Uri? Stream = null, BrokerVenue? Broker = null);

/// <summary>Hears a session as it is set up and as it trades, in order: the watchlist a source picked, the start, the
/// guardrails once built, each bar time's progress, the stream's reconnects. Every member has a default that does
/// nothing, so a caller implements what it shows.</summary>
public interface ITradingSessionObserver
{
    /// <summary>The watchlist source picked <paramref name="symbols"/>; <paramref name="source"/> says which list.</summary>
    void WatchlistPicked(IReadOnlyList<Symbol> symbols, string source)
    {
    }

    /// <summary>The run is registered and the loop about to start.</summary>
    Task StartedAsync(SessionStart start, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The session's guardrails as built (the kill switch and a halt's reset act on them from another thread).</summary>
    void GuardrailsBuilt(GuardrailSet guardrails)
    {
    }

    /// <summary>One bar time, or one event (a fill, the premarket, a restart) of the loop.</summary>
    void Progress(SessionProgress progress)
    {
    }

    /// <summary>The stream reconnected before the bar at <paramref name="at"/> (journaled too).</summary>
    void Reconnected(DateTime at, string reason)
    {
    }
}
