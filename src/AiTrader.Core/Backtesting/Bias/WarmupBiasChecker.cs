using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Backtesting.Bias;

/// <summary>Settings of a warm-up bias check.</summary>
/// <param name="LaterStartBar">Index of the bar the later run starts at; null means the middle of the series.</param>
/// <param name="WarmupBars">The strategy's warm-up in bars; null means measured: the bars the later run takes to make its
/// first decision.</param>
/// <param name="HorizonMultiple">k: decisions must agree from warm-up × k bars after the later start on.</param>
/// <param name="AllowShort">Also probe a short position (use when the strategy trades short).</param>
/// <param name="ProbeEquity">Account equity shown to the strategy, the same in both runs.</param>
/// <param name="MaxReported">Disagreements kept in the report (the count is always complete).</param>
public sealed record WarmupBiasOptions(
    int? LaterStartBar = null,
    int? WarmupBars = null,
    int HorizonMultiple = 10,
    bool AllowShort = false,
    decimal ProbeEquity = 100_000m,
    int MaxReported = 10);

/// <summary>A bar where the run that started earlier and the run that started later decided differently.</summary>
/// <param name="BarIndex">Index in the full series.</param>
/// <param name="Timestamp">The bar's open time (UTC).</param>
/// <param name="Probe">The account state the strategy was shown: flat, long or short.</param>
/// <param name="EarlierStart">The decision of the run that started at the first bar.</param>
/// <param name="LaterStart">The decision of the run that started at the later bar.</param>
public sealed record WarmupDisagreement(int BarIndex, DateTime Timestamp, string Probe, string EarlierStart, string LaterStart);

/// <summary>Outcome of a warm-up bias check (bar indexes are in the full series).</summary>
/// <param name="LaterStartBar">Where the later run started.</param>
/// <param name="LaterStart">That bar's open time.</param>
/// <param name="WarmupBars">The warm-up used (given or measured).</param>
/// <param name="HorizonBars">Warm-up × k: the allowance for indicators to converge.</param>
/// <param name="ComparedBars">Bars from the later start to the end.</param>
/// <param name="AgreeFromBar">First bar from which every later decision agrees; null when they still differ at the last bar.</param>
/// <param name="AgreeFrom">That bar's open time.</param>
/// <param name="Disagreements">Bars where the runs differed, anywhere after the later start.</param>
/// <param name="BeyondHorizon">Disagreements at or after LaterStartBar + HorizonBars (kept up to the limit).</param>
/// <param name="BeyondHorizonCount">How many there were in all.</param>
/// <param name="Inconclusive">Why the check could not judge (too few bars, no decisions), or null.</param>
public sealed record WarmupBiasReport(
    int LaterStartBar,
    DateTime LaterStart,
    int WarmupBars,
    int HorizonBars,
    int ComparedBars,
    int? AgreeFromBar,
    DateTime? AgreeFrom,
    int Disagreements,
    IReadOnlyList<WarmupDisagreement> BeyondHorizon,
    int BeyondHorizonCount,
    string? Inconclusive)
{
    public bool WarmupBiasDetected => BeyondHorizonCount > 0;
}

/// <summary>Detects warm-up bias: decisions that still depend on where the data started long after the indicators should
/// have forgotten it (an unstable recursive indicator, state that never resets, a warm-up that is too short).</summary>
/// <remarks>A run from the first bar and a run from a later bar are compared bar by bar after the later start. To compare
/// what the indicators say rather than which trades happened to be open, the strategy is driven outside the engine with a
/// fixed account in each of these states: flat, long one share and (when shorts are allowed) short one share, no stop
/// resting. Intents are compared by kind, side, quantity and stop; reasons are free text and are ignored. Disagreement in
/// the first warm-up × k bars after the later start is expected (that is warm-up); disagreement after it is bias.</remarks>
public sealed class WarmupBiasChecker
{
    /// <summary>Runs both starts through every probe and compares them.</summary>
    /// <param name="createStrategy">A fresh strategy for the series about to be driven.</param>
    public WarmupBiasReport Check(BarSeries series, Func<BarSeries, IStrategy> createStrategy, WarmupBiasOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(createStrategy);
        options ??= new WarmupBiasOptions();
        var n = series.Bars.Count;
        var later = options.LaterStartBar ?? n / 2;
        if (later < 1 || later >= n)
        {
            throw new ArgumentException($"the later start must be after the first bar and before the last ({n} bars); got bar {later}.", nameof(options));
        }

        if (options.HorizonMultiple < 1)
        {
            throw new ArgumentException($"the warm-up multiple must be at least 1; got {options.HorizonMultiple}.", nameof(options));
        }

        var probes = new List<(string Name, decimal Quantity)> { ("flat", 0m), ("long", 1m) };
        if (options.AllowShort)
        {
            probes.Add(("short", -1m));
        }

        var laterSeries = Sweeps.BarSeriesSlicing.Slice(series, later, n - later);
        var earlier = probes.Select(p => Probe(series, createStrategy(series), p.Quantity, options)).ToArray();
        var late = probes.Select(p => Probe(laterSeries, createStrategy(laterSeries), p.Quantity, options)).ToArray();

        // Measured warm-up: bars the later run needs before it says anything in any account state.
        var firstDecision = late.Select(d => d.FindIndex(x => x.Intents.Count > 0)).Where(i => i >= 0).DefaultIfEmpty(-1).Min();
        var warmup = options.WarmupBars ?? (firstDecision >= 0 ? firstDecision + 1 : 0);
        var horizon = warmup * options.HorizonMultiple;
        var laterStart = series.Bars[later].Timestamp;

        var byTime = earlier.Select(d => d.ToDictionary(x => x.Timestamp)).ToArray();
        var indexOf = new Dictionary<DateTime, int>(n);
        for (var i = 0; i < n; i++)
        {
            indexOf[series.Bars[i].Timestamp] = i;
        }

        var disagreements = 0;
        var beyond = new List<WarmupDisagreement>();
        var beyondCount = 0;
        int? lastDisagreement = null;
        for (var p = 0; p < probes.Count; p++)
        {
            foreach (var decision in late[p])
            {
                var index = indexOf[decision.Timestamp];
                var other = byTime[p].TryGetValue(decision.Timestamp, out var d) ? d.Intents : [];
                if (SameIgnoringReasons(other, decision.Intents))
                {
                    continue;
                }

                disagreements++;
                lastDisagreement = Math.Max(lastDisagreement ?? index, index);
                if (index >= later + horizon)
                {
                    beyondCount++;
                    beyond.Add(new WarmupDisagreement(index, decision.Timestamp, probes[p].Name,
                        BarDecision.Describe(other, withReasons: false), BarDecision.Describe(decision.Intents, withReasons: false)));
                }
            }
        }

        var kept = beyond.OrderBy(b => b.BarIndex).ThenBy(b => b.Probe, StringComparer.Ordinal).Take(options.MaxReported).ToArray();
        int? agreeFrom = lastDisagreement is { } last ? (last + 1 < n ? last + 1 : null) : later;
        string? inconclusive = firstDecision < 0 && options.WarmupBars is null
            ? "the strategy made no decision after the later start, so there is nothing to compare"
            : later + horizon >= n
                ? $"only {n - later} bars follow the later start, not more than the {horizon}-bar horizon; start later runs earlier or use more data"
                : null;

        return new WarmupBiasReport(later, laterStart, warmup, horizon, n - later, agreeFrom,
            agreeFrom is { } a ? series.Bars[a].Timestamp : null, disagreements, kept, beyondCount, inconclusive);
    }

    /// <summary>Drives <paramref name="strategy"/> over the series with a fixed account holding <paramref name="quantity"/> shares.</summary>
    private static List<BarDecision> Probe(BarSeries series, IStrategy strategy, decimal quantity, WarmupBiasOptions options)
    {
        strategy.Reset();
        var flagged = series.Flags.Select(f => f.Timestamp).ToHashSet();
        var accepted = new List<Bar>(series.Bars.Count);
        var visible = accepted.AsReadOnly();
        var decisions = new List<BarDecision>(series.Bars.Count);
        foreach (var bar in series.Bars)
        {
            // Flagged bars are skipped exactly as the engine skips them.
            if (flagged.Contains(bar.Timestamp))
            {
                continue;
            }

            accepted.Add(bar);
            var context = new StrategyContext(series.Symbol, series.Timeframe, visible, quantity,
                options.ProbeEquity - quantity * bar.Close, options.ProbeEquity, null, options.AllowShort);
            decisions.Add(new BarDecision(accepted.Count - 1, bar.Timestamp, strategy.OnBar(context).ToArray()));
        }

        return decisions;
    }

    private static bool SameIgnoringReasons(IReadOnlyList<OrderIntent> a, IReadOnlyList<OrderIntent> b)
    {
        if (a.Count != b.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Count; i++)
        {
            if (a[i] with { Reason = "" } != b[i] with { Reason = "" })
            {
                return false;
            }
        }

        return true;
    }

}
