using AiTrader.Core.Domain;
using static AiTrader.Core.Strategies.ReasonText;
using static AiTrader.Core.Strategies.StopLevels;

namespace AiTrader.Core.Strategies;

/// <summary>Fades stretches away from the Kalman filtered price in calm regimes; exits back at the mean, at a fixed ATR stop or after a holding limit.</summary>
/// <remarks>
/// <para>Residual r_t = close_t − filtered_t. σ_t is the sample standard deviation (n − 1) of the <c>z_window</c>
/// residuals r_{t−N}..r_{t−1}, strictly before t, so a shock does not shrink its own z-score; z_t = r_t / σ_t (the
/// filter centres the residuals, so no mean is subtracted). z is undefined for the first N bars and when σ = 0.</para>
/// <list type="bullet">
/// <item>Flat: enter long when z ≤ −entry_z and regime ∈ regimes, with a fixed stop close − k·ATR (never moved); with
/// shorts allowed, enter short when z ≥ entry_z and regime ∈ the mirrored whitelist, stop close + k·ATR.</item>
/// <item>Long: exit when z ≥ −exit_z (back to the mean), or when the position has been seen at max_hold_bars closes
/// (the fill bar counts as the first, so the exit fills max_hold_bars bars after the entry). Shorts mirror.</item>
/// </list>
/// No entries while the filter is in warm-up, the regime is Unknown or the ATR is not ready. Entries are sized by the
/// order router; their hints carry the regime and let Kelly use the symbol's own win rate once enough trades have
/// closed (a stretched z-score is not a win probability, so none is claimed).
/// </remarks>
public sealed class MeanReversionStrategy : IStrategy
{
    public const string CatalogName = "mean_reversion";

    private readonly IStrategySignalSource _signals;
    private readonly Queue<double> _residuals = new();
    private int _barsHeld;

    public MeanReversionStrategy(MeanReversionParameters? parameters = null, IStrategySignalSource? signals = null)
    {
        Parameters = (parameters ?? new MeanReversionParameters()).Validate();
        _signals = signals ?? new StrategySignals(Parameters.AtrPeriod);
    }

    public string Name => CatalogName;

    public MeanReversionParameters Parameters { get; }

    public void Reset()
    {
        _signals.Reset();
        _residuals.Clear();
        _barsHeld = 0;
    }

    public IReadOnlyList<OrderIntent> OnBar(StrategyContext context)
    {
        var signal = _signals.Update(context.Bar);
        _barsHeld = context.IsFlat ? 0 : _barsHeld + 1;

        var close = context.Bar.Close;
        var residual = (double)close - signal.FilteredPrice;
        var z = ZScore(residual);
        _residuals.Enqueue(residual);
        if (_residuals.Count > Parameters.ZWindow)
        {
            _residuals.Dequeue();
        }

        if (!context.IsFlat)
        {
            return ManageOpen(context, z);
        }

        if (!signal.IsReady || z is not { } zValue)
        {
            return [];
        }

        var regime = RegimeSet.NameOf(signal.Regime);
        var enterBelow = 0.0 - Parameters.EntryZ;
        if (zValue <= enterBelow && Parameters.Regimes.Contains(signal.Regime))
        {
            return Enter(context, signal, PositionSide.Long, RoundPrice(close - Distance(Parameters.AtrMultiplier, signal.Atr!.Value)),
                $"z {Compared(zValue, enterBelow)} ≤ {Fixed(enterBelow, 2)} in {regime}");
        }

        if (context.AllowShort && zValue >= Parameters.EntryZ && Parameters.Regimes.Mirror().Contains(signal.Regime))
        {
            return Enter(context, signal, PositionSide.Short, RoundPrice(close + Distance(Parameters.AtrMultiplier, signal.Atr!.Value)),
                $"z {Compared(zValue, Parameters.EntryZ)} ≥ {Fixed(Parameters.EntryZ, 2)} in {regime}");
        }

        return [];
    }

    private OrderIntent[] ManageOpen(StrategyContext context, double? z)
    {
        var side = context.IsLong ? PositionSide.Long : PositionSide.Short;
        if (z is { } zValue)
        {
            if (side == PositionSide.Long && zValue >= 0.0 - Parameters.ExitZ)
            {
                var level = 0.0 - Parameters.ExitZ;
                return [OrderIntent.Exit(side, $"z {Compared(zValue, level)} ≥ {Fixed(level, 2)}: back to the mean")];
            }

            if (side == PositionSide.Short && zValue <= Parameters.ExitZ)
            {
                return [OrderIntent.Exit(side, $"z {Compared(zValue, Parameters.ExitZ)} ≤ {Fixed(Parameters.ExitZ, 2)}: back to the mean")];
            }
        }

        if (Parameters.MaxHoldBars > 0 && _barsHeld >= Parameters.MaxHoldBars)
        {
            return [OrderIntent.Exit(side, $"held {_barsHeld} bars ≥ max_hold_bars {Parameters.MaxHoldBars}")];
        }

        return [];
    }

    private double? ZScore(double residual)
    {
        if (_residuals.Count < Parameters.ZWindow)
        {
            return null;
        }

        // Two passes over a short window: exact enough, and a replay gives the same bits.
        var mean = 0.0;
        foreach (var r in _residuals)
        {
            mean += r;
        }

        mean /= _residuals.Count;
        var sum = 0.0;
        foreach (var r in _residuals)
        {
            sum += (r - mean) * (r - mean);
        }

        var sigma = Math.Sqrt(sum / (_residuals.Count - 1));
        return sigma > 0 ? residual / sigma : null;
    }

    private OrderIntent[] Enter(StrategyContext context, StrategySignal signal, PositionSide side, decimal stop, string reason)
    {
        // No probabilistic edge of its own: Kelly takes the symbol's own win rate.
        var hints = new SizingHints(Parameters.RiskFraction, WinProbabilityFromOwnTrades: true, Regime: signal.Regime);
        return [OrderIntent.EnterWithStop(side, stop, hints, reason)];
    }
}
