using AiTrader.Core.Domain;
using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Tests.Strategies;

/// <summary>A signal source that replays hand-written signals, one per bar, so expected trades can be worked out by hand.</summary>
internal sealed class ScriptedSignals(params StrategySignal[] script) : IStrategySignalSource
{
    private int _next;

    public void Reset() => _next = 0;

    public StrategySignal Update(in Bar bar) => script[_next++];

    /// <summary>A ready signal (past warm-up, ATR known).</summary>
    public static StrategySignal Ready(double probUp, MarketRegime regime, double atr = 2.0, double filtered = 100.0) =>
        new(probUp, Velocity: 0.0, filtered, regime, atr, IsWarmup: false);
}
