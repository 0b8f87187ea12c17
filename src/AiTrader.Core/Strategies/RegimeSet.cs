using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Strategies;

/// <summary>A set of market regimes a strategy may enter in, written <c>trending_up|calm</c> on the command line.</summary>
public readonly record struct RegimeSet
{
    private readonly int _bits;

    private RegimeSet(int bits) => _bits = bits;

    /// <summary>A set holding exactly <paramref name="regimes"/>.</summary>
    public static RegimeSet Of(params MarketRegime[] regimes)
    {
        var bits = 0;
        foreach (var r in regimes)
        {
            bits |= 1 << (int)r;
        }

        return new RegimeSet(bits);
    }

    public bool IsEmpty => _bits == 0;

    public bool Contains(MarketRegime regime) => (_bits & (1 << (int)regime)) != 0;

    /// <summary>The same set as seen by a short: TrendingUp and TrendingDown swap, the others stay.</summary>
    public RegimeSet Mirror()
    {
        var up = 1 << (int)MarketRegime.TrendingUp;
        var down = 1 << (int)MarketRegime.TrendingDown;
        var bits = _bits & ~(up | down);
        if ((_bits & up) != 0)
        {
            bits |= down;
        }

        if ((_bits & down) != 0)
        {
            bits |= up;
        }

        return new RegimeSet(bits);
    }

    public IEnumerable<MarketRegime> Regimes => Enum.GetValues<MarketRegime>().Where(Contains);

    /// <summary>The snake_case name of a regime: <c>trending_up</c>, <c>trending_down</c>, <c>calm</c>, <c>volatile</c>, <c>unknown</c>.</summary>
    public static string NameOf(MarketRegime regime) => regime switch
    {
        MarketRegime.TrendingUp => "trending_up",
        MarketRegime.TrendingDown => "trending_down",
        MarketRegime.Calm => "calm",
        MarketRegime.Volatile => "volatile",
        _ => "unknown",
    };

    /// <summary>Parses names separated by <c>|</c> (commas separate parameters on the CLI); case, <c>-</c> and <c>_</c> are ignored.</summary>
    /// <exception cref="FormatException">An unknown name, <c>unknown</c> (never tradable), or an empty list.</exception>
    public static RegimeSet Parse(string text)
    {
        var bits = 0;
        foreach (var part in (text ?? "").Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var key = part.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
            var regime = key switch
            {
                "trendingup" => MarketRegime.TrendingUp,
                "trendingdown" => MarketRegime.TrendingDown,
                "calm" => MarketRegime.Calm,
                "volatile" => MarketRegime.Volatile,
                _ => throw new FormatException(
                    $"'{part}' is not a tradable regime; use trending_up, trending_down, calm or volatile separated by '|'."),
            };
            bits |= 1 << (int)regime;
        }

        return bits == 0
            ? throw new FormatException("The regime list is empty; use e.g. trending_up|calm.")
            : new RegimeSet(bits);
    }

    public override string ToString() => string.Join('|', Regimes.Select(NameOf));
}
