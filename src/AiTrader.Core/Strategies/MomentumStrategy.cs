using AiTrader.Core.Domain;
using static AiTrader.Core.Strategies.ReasonText;
using static AiTrader.Core.Strategies.StopLevels;

namespace AiTrader.Core.Strategies;

/// <summary>Trend following on the Kalman filter: enter when prob_up clears a threshold in a whitelisted regime, exit on velocity reversal or an ATR trailing stop.</summary>
/// <remarks>
/// At the close of bar t, with p = prob_up_t, regime_t and ATR_t (all from bars ≤ t):
/// <list type="bullet">
/// <item>Flat: enter long when p ≥ prob_entry and regime_t ∈ regimes, initial stop close − k·ATR; with shorts allowed,
/// enter short when p ≤ 1 − prob_entry and regime_t ∈ the mirrored whitelist, stop close + k·ATR.</item>
/// <item>Long: exit when p &lt; prob_exit (the velocity has turned); otherwise trail the stop to close − k·ATR, never lower.
/// Shorts mirror (exit when p &gt; 1 − prob_exit).</item>
/// </list>
/// No entries while the filter is in warm-up, the regime is Unknown or the ATR is not ready. Entries are only taken
/// from flat, so an exit and the next entry are at least a bar apart. Entries are sized by the order router; their
/// sizing hints carry the win probability (p for a long, 1 − p for a short) and the regime.
/// </remarks>
public sealed class MomentumStrategy : IStrategy
{
    public const string CatalogName = "momentum";

    private readonly IStrategySignalSource _signals;
    private readonly double _atrMultiplier;
    private readonly string _multiplierText;

    public MomentumStrategy(MomentumParameters? parameters = null, IStrategySignalSource? signals = null)
    {
        Parameters = (parameters ?? new MomentumParameters()).Validate();
        _signals = signals ?? new StrategySignals(Parameters.AtrPeriod);
        _atrMultiplier = (double)Parameters.AtrMultiplier;
        _multiplierText = Number(Parameters.AtrMultiplier); // every trailing-stop reason shows it: formatted once
    }

    public string Name => CatalogName;

    public MomentumParameters Parameters { get; }

    public void Reset() => _signals.Reset();

    public IReadOnlyList<OrderIntent> OnBar(StrategyContext context)
    {
        var signal = _signals.Update(context.Bar);
        if (!signal.IsReady)
        {
            return [];
        }

        var p = signal.ProbabilityUp;
        var close = context.Bar.Close;
        var atr = signal.Atr!.Value;

        if (context.IsLong)
        {
            if (p < Parameters.ExitProbability)
            {
                return [OrderIntent.Exit(PositionSide.Long,
                    $"prob_up {Compared(p, Parameters.ExitProbability)} < {Fixed(Parameters.ExitProbability, 2)}: velocity reversal")];
            }

            // Most bars of a position leave the stop where it is: tell that in doubles before the exact decimal level.
            if (context.ProtectiveStop is { } longStop && CannotBeat((double)close - _atrMultiplier * atr, longStop, above: true))
            {
                return [];
            }

            var trailed = RoundPrice(close - Distance(Parameters.AtrMultiplier, atr));
            return context.ProtectiveStop is not { } stop || trailed > stop
                ? [OrderIntent.MoveStop(PositionSide.Long, trailed,
                    $"trail to close {close} - {_multiplierText} x ATR {Number(atr)}")]
                : [];
        }

        if (context.IsShort)
        {
            var exitAbove = 1 - Parameters.ExitProbability;
            if (p > exitAbove)
            {
                return [OrderIntent.Exit(PositionSide.Short,
                    $"prob_up {Compared(p, exitAbove)} > {Fixed(exitAbove, 2)}: velocity reversal")];
            }

            if (context.ProtectiveStop is { } shortStop && CannotBeat((double)close + _atrMultiplier * atr, shortStop, above: false))
            {
                return [];
            }

            var trailed = RoundPrice(close + Distance(Parameters.AtrMultiplier, atr));
            return context.ProtectiveStop is not { } stop || trailed < stop
                ? [OrderIntent.MoveStop(PositionSide.Short, trailed,
                    $"trail to close {close} + {_multiplierText} x ATR {Number(atr)}")]
                : [];
        }

        var regime = RegimeSet.NameOf(signal.Regime);
        if (p >= Parameters.EntryProbability && Parameters.Regimes.Contains(signal.Regime))
        {
            return Enter(context, signal, PositionSide.Long, RoundPrice(close - Distance(Parameters.AtrMultiplier, atr)),
                $"prob_up {Compared(p, Parameters.EntryProbability)} ≥ {Fixed(Parameters.EntryProbability, 2)} in {regime}");
        }

        var enterBelow = 1 - Parameters.EntryProbability;
        if (context.AllowShort && p <= enterBelow && Parameters.Regimes.Mirror().Contains(signal.Regime))
        {
            return Enter(context, signal, PositionSide.Short, RoundPrice(close + Distance(Parameters.AtrMultiplier, atr)),
                $"prob_up {Compared(p, enterBelow)} ≤ {Fixed(enterBelow, 2)} in {regime}");
        }

        return [];
    }

    private OrderIntent[] Enter(StrategyContext context, StrategySignal signal, PositionSide side, decimal stop, string reason)
    {
        var p = (decimal)signal.ProbabilityUp;
        var hints = new SizingHints(Parameters.RiskFraction, WinProbability: side == PositionSide.Long ? p : 1 - p, Regime: signal.Regime);
        return [OrderIntent.EnterWithStop(side, stop, hints, reason)];
    }
}
