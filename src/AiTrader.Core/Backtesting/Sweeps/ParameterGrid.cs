using System.Globalization;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Backtesting.Sweeps;

/// <summary>One swept parameter: its name as the user wrote it and the values to try, in order.</summary>
public sealed record GridParameter(string Name, IReadOnlyList<string> Values);

/// <summary>A parameter grid such as <c>lookback=10:60:10,atr_mult=2,3,4</c> and its Cartesian product in a fixed order.</summary>
/// <remarks>
/// Syntax: comma-separated tokens; a token <c>name=…</c> starts a new parameter, a token without <c>=</c> adds values to
/// the current one. A value is a literal or an inclusive range <c>a:b:step</c> (<c>a:b</c> means step 1) stepped in
/// exact decimal arithmetic (0.1:0.3:0.1 gives 0.1, 0.2, 0.3, never 0.30000000000000004); values after <c>b</c> are not
/// produced when the step does not land on it. Numbers are written back in their shortest invariant form ("2.50" → "2.5").
/// Combination order: the first parameter varies slowest, the last fastest (like nested loops written in grid order).
/// </remarks>
public sealed class ParameterGrid
{
    /// <summary>Most values one parameter may take; a typo like 1:100000:1 should fail, not run for a day.</summary>
    public const int MaxValuesPerParameter = 10_000;

    /// <summary>Most combinations a grid may have.</summary>
    public const int MaxCombinations = 100_000;

    private const NumberStyles NumberStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public ParameterGrid(IReadOnlyList<GridParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Count == 0)
        {
            throw new ArgumentException("A grid needs at least one parameter.", nameof(parameters));
        }

        long count = 1;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in parameters)
        {
            if (p.Values.Count == 0)
            {
                throw new ArgumentException($"Grid parameter '{p.Name}' has no values.", nameof(parameters));
            }

            if (!seen.Add(CanonicalName(p.Name)))
            {
                throw new ArgumentException($"grid names parameter '{p.Name}' twice.", nameof(parameters));
            }

            count *= p.Values.Count;
            if (count > MaxCombinations)
            {
                throw new ArgumentException(
                    $"grid has more than {MaxCombinations} combinations; use coarser steps or fewer parameters.", nameof(parameters));
            }
        }

        Parameters = parameters;
        Count = (int)count;
    }

    public IReadOnlyList<GridParameter> Parameters { get; }

    /// <summary>Number of combinations (the product of the value counts).</summary>
    public int Count { get; }

    public IReadOnlyList<string> Names => Parameters.Select(p => p.Name).ToArray();

    /// <summary>Parses the <c>--grid</c> syntax; throws <see cref="FormatException"/> naming the bad token.</summary>
    public static ParameterGrid Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException("grid is empty; e.g. \"lookback=10:60:10,atr_mult=2,3,4\".");
        }

        var names = new List<string>();
        var values = new List<List<string>>();
        foreach (var raw in text.Split(','))
        {
            var token = raw.Trim();
            if (token.Length == 0)
            {
                throw new FormatException($"grid '{text}' has an empty token (two commas in a row, or a leading or trailing comma).");
            }

            string valueText;
            var eq = token.IndexOf('=');
            if (eq >= 0)
            {
                var name = token[..eq].Trim();
                if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                {
                    throw new FormatException($"grid token '{token}' needs a parameter name (letters, digits, _ or -) before '='.");
                }

                if (names.Any(n => CanonicalName(n) == CanonicalName(name)))
                {
                    throw new FormatException($"grid token '{token}' names parameter '{name}' a second time.");
                }

                valueText = token[(eq + 1)..].Trim();
                if (valueText.Length == 0)
                {
                    throw new FormatException($"grid token '{token}' has no value after '='.");
                }

                names.Add(name);
                values.Add([]);
            }
            else
            {
                if (names.Count == 0)
                {
                    throw new FormatException($"grid token '{token}' comes before any parameter name; start with name=value, e.g. lookback=10:60:10.");
                }

                valueText = token;
            }

            if (valueText.Contains('='))
            {
                throw new FormatException($"grid token '{token}' has more than one '='.");
            }

            var current = values[^1];
            foreach (var value in Expand(valueText, token))
            {
                if (current.Contains(value))
                {
                    throw new FormatException($"grid token '{token}' repeats value {value} of '{names[^1]}'.");
                }

                current.Add(value);
                if (current.Count > MaxValuesPerParameter)
                {
                    throw new FormatException($"grid token '{token}' gives '{names[^1]}' more than {MaxValuesPerParameter} values; use a coarser step.");
                }
            }
        }

        try
        {
            return new ParameterGrid(names.Select((n, i) => new GridParameter(n, values[i])).ToArray());
        }
        catch (ArgumentException ex)
        {
            throw new FormatException(ex.Reason(), ex);
        }
    }

    /// <summary>The combination at <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    public ParameterCombination this[int index] => Combination(index);

    /// <summary>The combination at <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    public ParameterCombination Combination(int index)
    {
        var digits = Digits(index);
        var chosen = new string[Parameters.Count];
        for (var k = 0; k < chosen.Length; k++)
        {
            chosen[k] = Parameters[k].Values[digits[k]];
        }

        return new ParameterCombination(index, Names, chosen);
    }

    /// <summary>Every combination, index 0 first.</summary>
    public IEnumerable<ParameterCombination> Combinations()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return Combination(i);
        }
    }

    /// <summary>Position of each parameter's value in its list for the combination at <paramref name="index"/>.</summary>
    public int[] Digits(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var digits = new int[Parameters.Count];
        for (var k = Parameters.Count - 1; k >= 0; k--)
        {
            var radix = Parameters[k].Values.Count;
            digits[k] = index % radix;
            index /= radix;
        }

        return digits;
    }

    /// <summary>The combination index of the given value positions (the inverse of <see cref="Digits"/>).</summary>
    public int IndexOf(IReadOnlyList<int> digits)
    {
        ArgumentNullException.ThrowIfNull(digits);
        if (digits.Count != Parameters.Count)
        {
            throw new ArgumentException($"Expected {Parameters.Count} positions, got {digits.Count}.", nameof(digits));
        }

        var index = 0;
        for (var k = 0; k < digits.Count; k++)
        {
            var radix = Parameters[k].Values.Count;
            ArgumentOutOfRangeException.ThrowIfNegative(digits[k]);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(digits[k], radix);
            index = index * radix + digits[k];
        }

        return index;
    }

    /// <summary>The grid in <c>--grid</c> syntax with ranges written out as lists.</summary>
    public override string ToString() =>
        string.Join(",", Parameters.Select(p => $"{p.Name}={string.Join(",", p.Values)}"));

    private static IEnumerable<string> Expand(string valueText, string token)
    {
        if (!valueText.Contains(':'))
        {
            // A literal: numbers are canonicalized so "2" and "2.0" are one value; anything else is passed through.
            return [decimal.TryParse(valueText, NumberStyle, Inv, out var number) ? Canonical(number) : valueText];
        }

        var parts = valueText.Split(':');
        if (parts.Length is < 2 or > 3)
        {
            throw new FormatException($"grid token '{token}' is not a range; write start:end:step, e.g. 10:60:10.");
        }

        var numbers = new decimal[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!decimal.TryParse(parts[i].Trim(), NumberStyle, Inv, out numbers[i]))
            {
                throw new FormatException($"grid token '{token}': range part '{parts[i].Trim()}' is not a number.");
            }
        }

        var (start, end) = (numbers[0], numbers[1]);
        var step = parts.Length == 3 ? numbers[2] : 1m;
        if (step <= 0)
        {
            throw new FormatException($"grid token '{token}': step must be greater than 0.");
        }

        if (start > end)
        {
            throw new FormatException($"grid token '{token}': start {Canonical(start)} is after end {Canonical(end)}.");
        }

        var count = decimal.Floor((end - start) / step) + 1;
        if (count > MaxValuesPerParameter)
        {
            throw new FormatException($"grid token '{token}' has {count} values, more than {MaxValuesPerParameter}; use a coarser step.");
        }

        // start + i·step rather than repeated addition: exact in decimal and no drift.
        return Enumerable.Range(0, (int)count).Select(i => Canonical(start + i * step)).ToArray();
    }

    private static string Canonical(decimal value) =>
        value == 0 ? "0" : value.ToString("0.############################", Inv);

    // Same folding as StrategyCatalog: atr_mult, atr-mult and AtrMult are one parameter.
    private static string CanonicalName(string name) =>
        name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
}
