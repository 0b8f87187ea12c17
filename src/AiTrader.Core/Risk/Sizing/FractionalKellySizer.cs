using AiTrader.Core.Strategies;
using static AiTrader.Core.Risk.Sizing.SizingText;

namespace AiTrader.Core.Risk.Sizing;

/// <summary>Risks a fraction of the Kelly bet, f* = p − (1 − p)/b, to the stop; falls back to a base sizer (and says so) without p or b.</summary>
/// <remarks>
/// <para>p is the request's <see cref="SizingRequest.WinProbability"/>; b is the request's
/// <see cref="SizingRequest.PayoffRatio"/> (the strategy's own closed trades) or, when that is null, the configured
/// <see cref="PayoffPrior"/>. The fraction of equity put at risk to the stop is r = min(fraction × f*, cap), and
/// shares = floor(equity × r / |entry − stop|), capped by floor(available cash / entry) like
/// <see cref="FixedFractionalSizer"/> (no leverage). Risking to the stop is what Kelly prices: a loss costs the
/// stake, a win pays b stakes. When f* ≤ 0 there is no edge and the size is 0.</para>
/// <para>When p or b is missing (or out of range) the fallback sizer decides, and <see cref="LastExplanation"/>
/// starts with "kelly: p missing, fell back to ...".</para>
/// </remarks>
public sealed class FractionalKellySizer : IExplainedPositionSizer
{
    private readonly IPositionSizer _fallback;

    public FractionalKellySizer(decimal fraction = 0.5m, decimal cap = 0.25m, IPositionSizer? fallback = null,
        decimal? payoffPrior = null)
    {
        if (fraction <= 0 || fraction > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "Kelly fraction must be in (0, 1].");
        }

        if (cap <= 0 || cap > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(cap), cap, "Kelly cap (fraction of equity at risk) must be in (0, 1].");
        }

        if (payoffPrior is { } b && b <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(payoffPrior), b, "Payoff ratio prior must be positive.");
        }

        Fraction = fraction;
        Cap = cap;
        PayoffPrior = payoffPrior;
        _fallback = fallback ?? new FixedFractionalSizer(0.01m);
    }

    /// <summary>Multiplier on the full Kelly bet (0.5 = half Kelly).</summary>
    public decimal Fraction { get; }

    /// <summary>Largest fraction of equity put at risk to the stop on one entry.</summary>
    public decimal Cap { get; }

    /// <summary>Payoff ratio b used when the request carries none.</summary>
    public decimal? PayoffPrior { get; }

    public IPositionSizer Fallback => _fallback;

    public string LastExplanation { get; private set; } = "";

    /// <summary>Full Kelly f* = p − (1 − p)/b for win probability p and payoff ratio b.</summary>
    public static decimal KellyFraction(decimal p, decimal b)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(b);
        return p - (1m - p) / b;
    }

    public decimal Size(SizingRequest request)
    {
        var p = request.WinProbability is { } wp && wp >= 0 && wp <= 1 ? wp : (decimal?)null;
        var (b, source) = request.PayoffRatio is { } observed && observed > 0
            ? (observed, "trades")
            : PayoffPrior is { } prior ? (prior, "prior") : ((decimal?)null, "");
        if (p is null || b is null)
        {
            var missing = (p, b) switch
            {
                (null, null) => "p and b missing",
                (null, _) => "p missing",
                _ => "b missing",
            };
            var shares = _fallback.Size(request);
            LastExplanation = $"kelly: {missing}, fell back to {Describe(_fallback, shares)}";
            return shares;
        }

        var fullKelly = KellyFraction(p.Value, b.Value);
        var inputs = $"kelly: p {Fixed(p.Value, 2)}, b {Fixed(b.Value, 2)} ({source}) → f* {Fixed(fullKelly, 4)}";
        if (fullKelly <= 0)
        {
            LastExplanation = $"{inputs} ≤ 0: no edge, 0 shares";
            return 0;
        }

        var scaled = Fraction * fullKelly;
        var risk = Math.Min(scaled, Cap);
        var capped = scaled > Cap ? $", capped at {Number(Cap)}" : "";
        var size = SharesAtRisk(request, risk);
        LastExplanation = $"{inputs} × {Number(Fraction)} = {Fixed(scaled, 4)}{capped} of equity at risk: {Number(size)} shares";
        return size;
    }

    internal static decimal SharesAtRisk(SizingRequest request, decimal riskFraction)
    {
        var riskPerShare = Math.Abs(request.EntryPrice - request.StopPrice);
        if (riskPerShare == 0 || request.EntryPrice <= 0 || request.Equity <= 0 || request.AvailableCash <= 0 || riskFraction <= 0)
        {
            return 0;
        }

        var byRisk = decimal.Floor(request.Equity * riskFraction / riskPerShare);
        var byCash = decimal.Floor(request.AvailableCash / request.EntryPrice);
        return Math.Max(0, Math.Min(byRisk, byCash));
    }
}
