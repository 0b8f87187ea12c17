using System.Globalization;

namespace AiTrader.Core.Strategies;

/// <summary>Creates strategies by name with string parameters, as given on a command line or in a config file.</summary>
public static class StrategyCatalog
{
    private sealed record Entry(
        Func<IReadOnlyDictionary<string, string>, bool, IStrategy> Create,
        IReadOnlyList<StrategyParameterInfo> Parameters);

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.OrdinalIgnoreCase)
    {
        [BreakoutStrategy.CatalogName] = new(CreateBreakout, DescribeBreakout()),
        [MomentumStrategy.CatalogName] = new(CreateMomentum, DescribeMomentum()),
        [MeanReversionStrategy.CatalogName] = new(CreateMeanReversion, DescribeMeanReversion()),
    };

    /// <summary>The known strategy names, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Creates the named strategy. Parameter names are case-insensitive and may use snake_case, kebab-case or
    /// PascalCase (<c>atr_period</c>, <c>atr-period</c>, <c>AtrPeriod</c>); numbers use the invariant culture.</summary>
    /// <exception cref="ArgumentException">Unknown strategy, unknown parameter or a value that does not parse or is out of range.</exception>
    /// <param name="regimeHints">Regime-aware sizing is on: every entry's sizing hints must carry the Kalman regime
    /// (breakout then runs the probabilistic signals it otherwise skips; the others always classify regimes).</param>
    public static IStrategy Create(string name, IReadOnlyDictionary<string, string>? parameters = null, bool regimeHints = false) =>
        Find(name).Create(parameters ?? new Dictionary<string, string>(), regimeHints);

    /// <summary>The named strategy's parameters with their defaults and meanings, in a stable order.</summary>
    /// <exception cref="ArgumentException">Unknown strategy.</exception>
    public static IReadOnlyList<StrategyParameterInfo> Describe(string name) => Find(name).Parameters;

    private static Entry Find(string name) =>
        !string.IsNullOrWhiteSpace(name) && Entries.TryGetValue(name.Trim(), out var entry)
            ? entry
            : throw new ArgumentException($"Unknown strategy '{name}'; known strategies: {string.Join(", ", Names)}.", nameof(name));

    private static BreakoutStrategy CreateBreakout(IReadOnlyDictionary<string, string> parameters, bool regimeHints)
    {
        var p = new BreakoutParameters();
        foreach (var (key, value) in parameters)
        {
            p = Normalize(key) switch
            {
                "lookback" => p with { Lookback = ParseInt(key, value) },
                "atrperiod" => p with { AtrPeriod = ParseInt(key, value) },
                "atrmultiplier" or "atrmult" or "k" => p with { AtrMultiplier = ParseDecimal(key, value) },
                "riskfraction" or "risk" => p with { RiskFraction = ParseDecimal(key, value) },
                _ => throw Unknown(BreakoutStrategy.CatalogName, key),
            };
        }

        p = p.Validate();
        // Regime-aware sizing needs the regime of each entry's bar: only then does breakout run the Kalman signals.
        return new BreakoutStrategy(p, regimeHints ? new StrategySignals(p.AtrPeriod) : null);
    }

    private static MomentumStrategy CreateMomentum(IReadOnlyDictionary<string, string> parameters, bool regimeHints)
    {
        var p = new MomentumParameters();
        foreach (var (key, value) in parameters)
        {
            p = Normalize(key) switch
            {
                "probentry" or "entryprobability" => p with { EntryProbability = ParseDouble(key, value) },
                "probexit" or "exitprobability" => p with { ExitProbability = ParseDouble(key, value) },
                "regimes" => p with { Regimes = ParseRegimes(key, value) },
                "atrperiod" => p with { AtrPeriod = ParseInt(key, value) },
                "atrmultiplier" or "atrmult" or "k" => p with { AtrMultiplier = ParseDecimal(key, value) },
                "riskfraction" or "risk" => p with { RiskFraction = ParseDecimal(key, value) },
                _ => throw Unknown(MomentumStrategy.CatalogName, key),
            };
        }

        p = p.Validate();
        return new MomentumStrategy(p);
    }

    private static MeanReversionStrategy CreateMeanReversion(IReadOnlyDictionary<string, string> parameters, bool regimeHints)
    {
        var p = new MeanReversionParameters();
        foreach (var (key, value) in parameters)
        {
            p = Normalize(key) switch
            {
                "entryz" => p with { EntryZ = ParseDouble(key, value) },
                "exitz" => p with { ExitZ = ParseDouble(key, value) },
                "zwindow" => p with { ZWindow = ParseInt(key, value) },
                "regimes" => p with { Regimes = ParseRegimes(key, value) },
                "atrperiod" => p with { AtrPeriod = ParseInt(key, value) },
                "atrmultiplier" or "atrmult" or "k" => p with { AtrMultiplier = ParseDecimal(key, value) },
                "maxholdbars" or "maxhold" => p with { MaxHoldBars = ParseInt(key, value) },
                "riskfraction" or "risk" => p with { RiskFraction = ParseDecimal(key, value) },
                _ => throw Unknown(MeanReversionStrategy.CatalogName, key),
            };
        }

        p = p.Validate();
        return new MeanReversionStrategy(p);
    }

    private static StrategyParameterInfo[] DescribeBreakout()
    {
        var d = new BreakoutParameters();
        return
        [
            new("lookback", Text(d.Lookback), "Donchian channel length in bars; enter on a close beyond the previous bar's channel."),
            new("atr_period", Text(d.AtrPeriod), "Wilder ATR period."),
            new("atr_multiplier", Text(d.AtrMultiplier), "k: initial and trailing stop distance in ATRs (aliases atr_mult, k)."),
            new("risk_fraction", Text(d.RiskFraction), "Fraction of equity lost if the initial stop is hit (alias risk)."),
        ];
    }

    private static StrategyParameterInfo[] DescribeMomentum()
    {
        var d = new MomentumParameters();
        return
        [
            new("prob_entry", Text(d.EntryProbability), "Enter long when Kalman prob_up >= this (short when prob_up <= 1 - this)."),
            new("prob_exit", Text(d.ExitProbability), "Exit a long when prob_up < this (a short when prob_up > 1 - this): velocity reversal."),
            new("regimes", d.Regimes.ToString(), "Regimes a long may enter in, '|'-separated (trending_up, trending_down, calm, volatile); shorts mirror up/down."),
            new("atr_period", Text(d.AtrPeriod), "Wilder ATR period."),
            new("atr_multiplier", Text(d.AtrMultiplier), "k: initial stop close - k x ATR, trailed up, never lowered (aliases atr_mult, k)."),
            new("risk_fraction", Text(d.RiskFraction), "Fraction of equity lost if the initial stop is hit; base risk for other sizers (alias risk)."),
        ];
    }

    private static StrategyParameterInfo[] DescribeMeanReversion()
    {
        var d = new MeanReversionParameters();
        return
        [
            new("entry_z", Text(d.EntryZ), "Enter long when z <= -entry_z (short when z >= entry_z); z = (close - Kalman filtered) / sigma."),
            new("exit_z", Text(d.ExitZ), "Exit a long when z >= -exit_z (a short when z <= exit_z); 0 = back at the filtered price."),
            new("z_window", Text(d.ZWindow), "Past residuals (close - filtered) whose sample std is sigma; the current bar is excluded."),
            new("regimes", d.Regimes.ToString(), "Regimes a long may enter in, '|'-separated (trending_up, trending_down, calm, volatile); shorts mirror up/down."),
            new("atr_period", Text(d.AtrPeriod), "Wilder ATR period."),
            new("atr_multiplier", Text(d.AtrMultiplier), "k: fixed stop at close -/+ k x ATR, never moved (aliases atr_mult, k)."),
            new("max_hold_bars", Text(d.MaxHoldBars), "Exit after this many bars in the trade; 0 = no limit (alias max_hold)."),
            new("risk_fraction", Text(d.RiskFraction), "Fraction of equity lost if the stop is hit; base risk for other sizers (alias risk)."),
        ];
    }

    private static ArgumentException Unknown(string strategy, string key) =>
        new($"Unknown parameter '{key}' for strategy '{strategy}'; known parameters: " +
            $"{string.Join(", ", Entries[strategy].Parameters.Select(p => p.Name))}.", "parameters");

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(double value) => value.ToString("0.0###", CultureInfo.InvariantCulture);

    private static string Normalize(string key) =>
        key.Trim().Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();

    private static int ParseInt(string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var result)
            ? result
            : throw new ArgumentException($"Parameter '{key}' must be a whole number; got '{value}'.", nameof(value));

    private static decimal ParseDecimal(string key, string value) =>
        decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var result)
            ? result
            : throw new ArgumentException($"Parameter '{key}' must be a number; got '{value}'.", nameof(value));

    private static double ParseDouble(string key, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var result) && double.IsFinite(result)
            ? result
            : throw new ArgumentException($"Parameter '{key}' must be a number; got '{value}'.", nameof(value));

    private static RegimeSet ParseRegimes(string key, string value)
    {
        try
        {
            return RegimeSet.Parse(value);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"Parameter '{key}': {ex.Message}", nameof(value));
        }
    }
}
