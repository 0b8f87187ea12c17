using System.Globalization;

namespace AiTrader.Core.Strategies;

/// <summary>Creates strategies by name with string parameters, as given on a command line or in a config file.</summary>
public static class StrategyCatalog
{
    private static readonly Dictionary<string, Func<IReadOnlyDictionary<string, string>, IStrategy>> Factories =
        new(StringComparer.OrdinalIgnoreCase)
        {
            [BreakoutStrategy.CatalogName] = CreateBreakout,
        };

    /// <summary>The known strategy names, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = Factories.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Creates the named strategy. Parameter names are case-insensitive and may use snake_case, kebab-case or
    /// PascalCase (<c>atr_period</c>, <c>atr-period</c>, <c>AtrPeriod</c>); numbers use the invariant culture.</summary>
    /// <exception cref="ArgumentException">Unknown strategy, unknown parameter or a value that does not parse or is out of range.</exception>
    public static IStrategy Create(string name, IReadOnlyDictionary<string, string>? parameters = null)
    {
        if (string.IsNullOrWhiteSpace(name) || !Factories.TryGetValue(name.Trim(), out var factory))
        {
            throw new ArgumentException(
                $"Unknown strategy '{name}'; known strategies: {string.Join(", ", Names)}.", nameof(name));
        }

        return factory(parameters ?? new Dictionary<string, string>());
    }

    private static BreakoutStrategy CreateBreakout(IReadOnlyDictionary<string, string> parameters)
    {
        var p = new BreakoutParameters();
        foreach (var (key, value) in parameters)
        {
            p = Normalize(key) switch
            {
                "lookback" => p with { Lookback = ParseInt(key, value) },
                "atrperiod" => p with { AtrPeriod = ParseInt(key, value) },
                "atrmultiplier" or "k" => p with { AtrMultiplier = ParseDecimal(key, value) },
                "riskfraction" or "risk" => p with { RiskFraction = ParseDecimal(key, value) },
                _ => throw new ArgumentException(
                    $"Unknown parameter '{key}' for strategy 'breakout'; known parameters: lookback, atr_period, atr_multiplier, risk_fraction.",
                    nameof(parameters)),
            };
        }

        return new BreakoutStrategy(p);
    }

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
}
