using System.Globalization;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Backtesting.Bias;

/// <summary>What a strategy returned at the close of one bar.</summary>
/// <param name="BarIndex">Index of the bar among the bars the strategy was shown.</param>
/// <param name="Timestamp">The bar's open time (UTC).</param>
/// <param name="Intents">The intents, in the order returned (empty for "do nothing").</param>
public sealed record BarDecision(int BarIndex, DateTime Timestamp, IReadOnlyList<OrderIntent> Intents)
{
    /// <summary>Same bar and the same intents, reasons included.</summary>
    public bool SameAs(BarDecision other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Timestamp == other.Timestamp && Intents.SequenceEqual(other.Intents);
    }

    /// <summary><c>Entry Buy 120 stop 101.25 (close … &gt; …)</c>; <c>nothing</c> when empty.</summary>
    public string Describe(bool withReasons = true) => Describe(Intents, withReasons);

    /// <summary>Formats intents for a report line; <c>nothing</c> when empty.</summary>
    public static string Describe(IReadOnlyList<OrderIntent> intents, bool withReasons = true)
    {
        ArgumentNullException.ThrowIfNull(intents);
        if (intents.Count == 0)
        {
            return "nothing";
        }

        return string.Join("; ", intents.Select(i =>
        {
            var text = $"{i.Kind} {i.Side}";
            if (i.Quantity is { } q)
            {
                text += " " + q.ToString(CultureInfo.InvariantCulture);
            }

            if (i.StopPrice is { } s)
            {
                text += " stop " + s.ToString(CultureInfo.InvariantCulture);
            }

            return withReasons && i.Reason.Length > 0 ? $"{text} ({i.Reason})" : text;
        }));
    }
}

/// <summary>Passes a strategy through unchanged while recording every decision it makes.</summary>
public sealed class DecisionRecorder : IStrategy
{
    private readonly IStrategy _inner;
    private readonly List<BarDecision> _decisions = [];

    public DecisionRecorder(IStrategy inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <summary>Decisions since the last <see cref="Reset"/>, one per bar shown.</summary>
    public IReadOnlyList<BarDecision> Decisions => _decisions;

    public string Name => _inner.Name;

    public void Reset()
    {
        _decisions.Clear();
        _inner.Reset();
    }

    public IReadOnlyList<OrderIntent> OnBar(StrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var intents = _inner.OnBar(context);
        // Copy: a strategy may reuse its returned list, and the record must keep what was decided then.
        _decisions.Add(new BarDecision(context.BarIndex, context.Bar.Timestamp, intents.ToArray()));
        return intents;
    }
}
