using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Strategies;
using static AiTrader.Core.Risk.Sizing.SizingText;

namespace AiTrader.Core.Risk.Sizing;

/// <summary>Scales another sizer's shares by a multiplier per market regime: full size in a trend with the trade, less in chop and volatility.</summary>
/// <remarks>
/// shares = min(floor(inner shares × m), floor(available cash / entry)). Multipliers are keyed by the regime as seen
/// by a long; for a short (stop above the entry) TrendingUp and TrendingDown swap, so a short in a down-trend gets
/// the TrendingUp multiplier. A request without a regime is sized as <see cref="MarketRegime.Unknown"/>, and the
/// explanation says so. Regimes missing from the dictionary use 1 (the inner size unchanged).
/// </remarks>
public sealed class RegimeAwareSizer : IExplainedPositionSizer
{
    /// <summary>TrendingUp 1.0, Calm 0.75, TrendingDown 0.5, Unknown 0.5, Volatile 0.25.</summary>
    public static IReadOnlyDictionary<MarketRegime, decimal> DefaultMultipliers { get; } = new Dictionary<MarketRegime, decimal>
    {
        [MarketRegime.TrendingUp] = 1.0m,
        [MarketRegime.Calm] = 0.75m,
        [MarketRegime.TrendingDown] = 0.5m,
        [MarketRegime.Unknown] = 0.5m,
        [MarketRegime.Volatile] = 0.25m,
    };

    private readonly IPositionSizer _inner;

    public RegimeAwareSizer(IPositionSizer inner, IReadOnlyDictionary<MarketRegime, decimal>? multipliers = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        multipliers ??= DefaultMultipliers;
        foreach (var (regime, m) in multipliers)
        {
            if (m < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(multipliers), m, $"Multiplier for {regime} must not be negative.");
            }
        }

        _inner = inner;
        Multipliers = multipliers;
    }

    public IReadOnlyDictionary<MarketRegime, decimal> Multipliers { get; }

    public IPositionSizer Inner => _inner;

    public string LastExplanation { get; private set; } = "";

    /// <summary>The multiplier applied to a long (or, mirrored, a short) entry in <paramref name="regime"/>.</summary>
    public decimal MultiplierFor(MarketRegime regime, bool isLong = true)
    {
        var key = isLong ? regime : regime switch
        {
            MarketRegime.TrendingUp => MarketRegime.TrendingDown,
            MarketRegime.TrendingDown => MarketRegime.TrendingUp,
            _ => regime,
        };
        return Multipliers.TryGetValue(key, out var m) ? m : 1m;
    }

    public decimal Size(SizingRequest request)
    {
        var innerShares = _inner.Size(request);
        var regime = request.Regime ?? MarketRegime.Unknown;
        var multiplier = MultiplierFor(regime, request.IsLong);
        var shares = decimal.Floor(innerShares * multiplier);
        if (request.EntryPrice > 0)
        {
            shares = Math.Min(shares, Math.Max(0, decimal.Floor(request.AvailableCash / request.EntryPrice)));
        }

        var regimeText = request.Regime is null ? "regime missing (as unknown)" : "regime " + Regime(regime);
        var side = request.IsLong ? "" : " (short)";
        LastExplanation = $"{regimeText}{side} × {Number(multiplier)}: {Number(innerShares)} → {Number(shares)} shares " +
            $"[{Describe(_inner, innerShares)}]";
        return shares;
    }
}
