using AiTrader.Core.Domain;
using AiTrader.Core.Signals.Indicators;

namespace AiTrader.Core.Strategies;

/// <summary>Donchian channel breakout with an ATR trailing stop and fixed-fractional sizing (long-only unless the account allows shorts).</summary>
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
    private readonly IPositionSizer _sizer;

    public BreakoutStrategy(BreakoutParameters? parameters = null, IPositionSizer? sizer = null)
    {
        Parameters = (parameters ?? new BreakoutParameters()).Validate();
        _channel = new DonchianChannel(Parameters.Lookback);
        _atr = new AverageTrueRange(Parameters.AtrPeriod);
        _sizer = sizer ?? new FixedFractionalSizer(Parameters.RiskFraction);
    }

    public const string CatalogName = "breakout";

    public string Name => CatalogName;

    public BreakoutParameters Parameters { get; }

    public void Reset()
    {
        _channel.Reset();
        _atr.Reset();
    }

    public IReadOnlyList<OrderIntent> OnBar(StrategyContext context)
    {
        var bar = context.Bar;
        // The breakout compares today's close with the channel of the N bars before today: read it before updating.
        var previousChannel = _channel.Value;
        _channel.Update(bar);
        var atr = _atr.Update(bar);
        if (previousChannel is not { } channel || atr is not { } atrValue)
        {
            return [];
        }

        var close = bar.Close;
        var closeValue = (double)close;
        var stopDistance = Parameters.AtrMultiplier * (decimal)atrValue;
        var intents = new List<OrderIntent>(2);

        if (context.IsLong)
        {
            if (closeValue < channel.Lower)
            {
                intents.Add(OrderIntent.Exit(PositionSide.Long, Invariant($"close {close} < {Parameters.Lookback}-bar low {channel.Lower}")));
                if (context.AllowShort)
                {
                    AddEntry(intents, context, PositionSide.Short, close, stopDistance, channel);
                }
            }
            else
            {
                var trailed = RoundPrice(close - stopDistance);
                if (context.ProtectiveStop is not { } stop || trailed > stop)
                {
                    intents.Add(OrderIntent.MoveStop(PositionSide.Long, trailed, Invariant($"trail to close {close} - {Parameters.AtrMultiplier} x ATR {atrValue}")));
                }
            }
        }
        else if (context.IsShort)
        {
            if (closeValue > channel.Upper)
            {
                intents.Add(OrderIntent.Exit(PositionSide.Short, Invariant($"close {close} > {Parameters.Lookback}-bar high {channel.Upper}")));
                AddEntry(intents, context, PositionSide.Long, close, stopDistance, channel);
            }
            else
            {
                var trailed = RoundPrice(close + stopDistance);
                if (context.ProtectiveStop is not { } stop || trailed < stop)
                {
                    intents.Add(OrderIntent.MoveStop(PositionSide.Short, trailed, Invariant($"trail to close {close} + {Parameters.AtrMultiplier} x ATR {atrValue}")));
                }
            }
        }
        else if (closeValue > channel.Upper)
        {
            AddEntry(intents, context, PositionSide.Long, close, stopDistance, channel);
        }
        else if (context.AllowShort && closeValue < channel.Lower)
        {
            AddEntry(intents, context, PositionSide.Short, close, stopDistance, channel);
        }

        return intents;
    }

    private void AddEntry(List<OrderIntent> intents, StrategyContext context, PositionSide side, decimal close,
        decimal stopDistance, DonchianValue channel)
    {
        var stop = RoundPrice(side == PositionSide.Long ? close - stopDistance : close + stopDistance);
        // When reversing, the cash to spend is what the account holds once the current position is closed at the mark.
        var availableCash = context.Cash + context.PositionQuantity * close;
        var quantity = _sizer.Size(new SizingRequest(context.Equity, availableCash, close, stop));
        if (quantity <= 0)
        {
            return;
        }

        var reason = side == PositionSide.Long
            ? Invariant($"close {close} > {Parameters.Lookback}-bar high {channel.Upper}")
            : Invariant($"close {close} < {Parameters.Lookback}-bar low {channel.Lower}");
        intents.Add(OrderIntent.Enter(side, quantity, stop, reason));
    }

    private static decimal RoundPrice(decimal price) => Math.Round(price, 4, MidpointRounding.AwayFromZero);

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
