using System.Runtime.CompilerServices;
using AiTrader.Core.Domain;
using AiTrader.Core.Signals.Indicators;
using AiTrader.Core.Signals.Regimes;
using static AiTrader.Core.Strategies.StopLevels;

namespace AiTrader.Core.Strategies;

/// <summary>Donchian channel breakout with an ATR trailing stop (long-only unless the account allows shorts); entries are
/// sized by the order router at the strategy's <c>risk_fraction</c>.</summary>
/// <remarks>
/// At the close of bar t, with C = close_t, H/L = the Donchian channel of bars t−N..t−1 (the channel's value at t−1)
/// and k·ATR_t:
/// <list type="bullet">
/// <item>Flat: enter long when C &gt; H with initial stop C − k·ATR; when shorts are allowed, enter short when C &lt; L
/// with stop C + k·ATR.</item>
/// <item>Long: exit by signal when C &lt; L (and, when shorts are allowed, reverse into a short); otherwise trail the stop
/// to max(stop, C − k·ATR), never lower. Shorts mirror this.</item>
/// </list>
/// Nothing is emitted until both the previous channel and the ATR exist (warm-up: max(N + 1, AtrPeriod + 1) bars).
/// Stop levels are rounded to 4 decimal places (half away from zero) so they are valid order prices.
/// </remarks>
public sealed class BreakoutStrategy : IStrategy
{
    private readonly DonchianChannel _channel;
    private readonly AverageTrueRange _atr;
    private readonly SizingHints _plainHints;

    /// <param name="parameters">Channel, ATR and risk settings (defaults when null).</param>
    /// <param name="regimeSignals">When set (regime-aware sizing), fed every bar so each entry's sizing hints carry the
    /// Kalman regime of the decision bar; the entry rule itself never reads it.</param>
    public BreakoutStrategy(BreakoutParameters? parameters = null, IStrategySignalSource? regimeSignals = null)
    {
        _regimeSignals = regimeSignals;
        Parameters = (parameters ?? new BreakoutParameters()).Validate();
        _channel = new DonchianChannel(Parameters.Lookback);
        _atr = new AverageTrueRange(Parameters.AtrPeriod);
        _plainHints = new SizingHints(Parameters.RiskFraction);
        // Formatted once: the stop trails on most bars in a trend, and the new level is on the order itself.
        _trailLongReason = Invariant($"trail to close - {Parameters.AtrMultiplier} x ATR");
        _trailShortReason = Invariant($"trail to close + {Parameters.AtrMultiplier} x ATR");
        _atrMultiplier = (double)Parameters.AtrMultiplier;
    }

    private readonly double _atrMultiplier;

    private readonly IStrategySignalSource? _regimeSignals;
    private MarketRegime? _regime;
    private readonly string _trailLongReason;
    private readonly string _trailShortReason;

    public const string CatalogName = "breakout";

    public string Name => CatalogName;

    public BreakoutParameters Parameters { get; }

    public void Reset()
    {
        _channel.Reset();
        _atr.Reset();
        _regimeSignals?.Reset();
        _regime = null;
    }

    public IReadOnlyList<OrderIntent> OnBar(StrategyContext context)
    {
        ref readonly var bar = ref context.Bar;
        if (_regimeSignals is not null)
        {
            var signal = _regimeSignals.Update(bar);
            _regime = signal.IsWarmup ? null : signal.Regime;
        }

        // The breakout compares today's close with the channel of the N bars before today: read it before updating.
        var previousChannel = _channel.Value;
        var high = (double)bar.High;
        var low = (double)bar.Low;
        var closeValue = (double)bar.Close;
        _channel.Update(high, low);
        var atr = _atr.Update(high, low, closeValue);
        if (previousChannel is not { } channel || atr is not { } atrValue)
        {
            return [];
        }

        // The common bars (nothing to do, or a stop that cannot move) are decided here in double arithmetic; every
        // order is worked out exactly, in decimals, by the methods below, kept out of line so this path stays small.
        if (context.IsLong)
        {
            if (closeValue < channel.Lower)
            {
                return ExitAndReverse(context, PositionSide.Long, channel, atrValue);
            }

            return context.ProtectiveStop is { } stop && CannotBeat(closeValue - _atrMultiplier * atrValue, stop, above: true)
                ? []
                : Trail(context, PositionSide.Long, atrValue);
        }

        if (context.IsShort)
        {
            if (closeValue > channel.Upper)
            {
                return ExitAndReverse(context, PositionSide.Short, channel, atrValue);
            }

            return context.ProtectiveStop is { } stop && CannotBeat(closeValue + _atrMultiplier * atrValue, stop, above: false)
                ? []
                : Trail(context, PositionSide.Short, atrValue);
        }

        if (closeValue > channel.Upper)
        {
            return Enter(context, PositionSide.Long, channel, atrValue);
        }

        return context.AllowShort && closeValue < channel.Lower
            ? Enter(context, PositionSide.Short, channel, atrValue)
            : [];
    }

    /// <summary>Exits the <paramref name="held"/> position on a breakout the other way and enters that way too, unless
    /// that would be a short the account does not allow.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private IReadOnlyList<OrderIntent> ExitAndReverse(StrategyContext context, PositionSide held, DonchianValue channel, double atr)
    {
        var close = context.Bar.Close;
        var reverse = held == PositionSide.Long ? PositionSide.Short : PositionSide.Long;
        var intents = new List<OrderIntent>(2) { OrderIntent.Exit(held, BreakoutReason(reverse, close, channel)) };
        if (reverse == PositionSide.Long || context.AllowShort)
        {
            AddEntry(intents, context, reverse, close, Distance(Parameters.AtrMultiplier, atr), channel);
        }

        return intents;
    }

    /// <summary>Trails the stop of the <paramref name="side"/> position to close ∓ k·ATR when that tightens it: above
    /// the resting stop for a long, below it for a short (never loosened).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private IReadOnlyList<OrderIntent> Trail(StrategyContext context, PositionSide side, double atr)
    {
        var close = context.Bar.Close;
        var isLong = side == PositionSide.Long;
        var trailed = RoundPrice(isLong ? close - Distance(Parameters.AtrMultiplier, atr) : close + Distance(Parameters.AtrMultiplier, atr));
        var tightens = context.ProtectiveStop is not { } current || (isLong ? trailed > current : trailed < current);
        return tightens ? [OrderIntent.MoveStop(side, trailed, isLong ? _trailLongReason : _trailShortReason)] : [];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private IReadOnlyList<OrderIntent> Enter(StrategyContext context, PositionSide side, DonchianValue channel, double atr)
    {
        var entry = new List<OrderIntent>(1);
        AddEntry(entry, context, side, context.Bar.Close, Distance(Parameters.AtrMultiplier, atr), channel);
        return entry;
    }

    private void AddEntry(List<OrderIntent> intents, StrategyContext context, PositionSide side, decimal close,
        decimal stopDistance, DonchianValue channel)
    {
        // Not an entry when the account cannot pay for one share even after closing what it holds: the router would size it
        // to nothing, and a breakout that lasts would ask again on every bar.
        if (context.Cash + context.PositionQuantity * close < close)
        {
            return;
        }

        var stop = RoundPrice(side == PositionSide.Long ? close - stopDistance : close + stopDistance);
        var hints = _regime is { } regime ? _plainHints with { Regime = regime } : _plainHints;
        intents.Add(OrderIntent.EnterWithStop(side, stop, hints, BreakoutReason(side, close, channel)));
    }

    /// <summary>Why the close is a breakout towards <paramref name="side"/>: above the channel's high, or below its low.</summary>
    private string BreakoutReason(PositionSide side, decimal close, DonchianValue channel) => side == PositionSide.Long
        ? Invariant($"close {close} > {Parameters.Lookback}-bar high {channel.Upper}")
        : Invariant($"close {close} < {Parameters.Lookback}-bar low {channel.Lower}");

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
