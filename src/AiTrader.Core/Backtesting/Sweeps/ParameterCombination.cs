namespace AiTrader.Core.Backtesting.Sweeps;

/// <summary>One point of a <see cref="ParameterGrid"/>: its index in grid order and a value for each grid parameter.</summary>
/// <param name="Index">Position in the grid's Cartesian order; the tie-breaker when two points rank equal.</param>
/// <param name="Names">Parameter names, in grid order.</param>
/// <param name="Values">Values as text (what <see cref="Strategies.StrategyCatalog.Create"/> takes), aligned with <paramref name="Names"/>.</param>
public sealed record ParameterCombination(int Index, IReadOnlyList<string> Names, IReadOnlyList<string> Values)
{
    /// <summary>The values keyed by name, laid over <paramref name="baseParameters"/> (grid values win).</summary>
    public IReadOnlyDictionary<string, string> ToParameters(IReadOnlyDictionary<string, string>? baseParameters = null)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in baseParameters ?? new Dictionary<string, string>())
        {
            result[key] = value;
        }

        for (var i = 0; i < Names.Count; i++)
        {
            result[Names[i]] = Values[i];
        }

        return result;
    }

    /// <summary><c>lookback=20 atr_mult=3</c>.</summary>
    public override string ToString() => string.Join(" ", Names.Select((n, i) => $"{n}={Values[i]}"));
}
