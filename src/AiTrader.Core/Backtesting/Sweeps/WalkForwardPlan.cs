using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Backtesting.Sweeps;

/// <summary>One walk-forward step as half-open bar index ranges: tune on [InSampleStart, InSampleEnd), test on [OutOfSampleStart, OutOfSampleEnd).</summary>
public sealed record WalkForwardWindow(int Index, int InSampleStart, int InSampleEnd, int OutOfSampleStart, int OutOfSampleEnd)
{
    public int InSampleLength => InSampleEnd - InSampleStart;

    public int OutOfSampleLength => OutOfSampleEnd - OutOfSampleStart;
}

/// <summary>Lays out rolling walk-forward windows over a series and converts years to bars.</summary>
public static class WalkForwardPlan
{
    /// <summary>Rolling windows: window k tunes on [k·oos, k·oos + is) and tests on the next <paramref name="outOfSample"/>
    /// bars; the windows' test ranges tile the data after the first in-sample block without overlap. The last test range
    /// is cut short at the end of the data (and kept, so every bar after the first in-sample block is tested once).</summary>
    /// <example>1000 bars, IS 400, OOS 200: [0,400)→[400,600), [200,600)→[600,800), [400,800)→[800,1000).</example>
    /// <exception cref="ArgumentException">Non-positive lengths, or fewer bars than one in-sample block plus one bar.</exception>
    public static IReadOnlyList<WalkForwardWindow> Rolling(int barCount, int inSample, int outOfSample)
    {
        if (inSample < 1)
        {
            throw new ArgumentException($"in-sample length must be at least 1 bar; got {inSample}.", nameof(inSample));
        }

        if (outOfSample < 1)
        {
            throw new ArgumentException($"out-of-sample length must be at least 1 bar; got {outOfSample}.", nameof(outOfSample));
        }

        if (barCount <= inSample)
        {
            throw new ArgumentException(
                $"walk-forward needs more than the {inSample} in-sample bars; the data has {barCount}. Shorten the windows or widen --start/--end.",
                nameof(barCount));
        }

        var windows = new List<WalkForwardWindow>();
        for (var start = 0; start + inSample < barCount; start += outOfSample)
        {
            var oosStart = start + inSample;
            windows.Add(new WalkForwardWindow(windows.Count, start, oosStart, oosStart, Math.Min(oosStart + outOfSample, barCount)));
        }

        return windows;
    }

    /// <summary>Bars in <paramref name="years"/> years of this series: years × <paramref name="tradingDaysPerYear"/> × the
    /// series' average bars per session date (1 for daily bars), rounded, at least 1.</summary>
    public static int BarsForYears(BarSeries series, double years, int tradingDaysPerYear = 252)
    {
        ArgumentNullException.ThrowIfNull(series);
        if (!(years > 0) || double.IsInfinity(years))
        {
            throw new ArgumentException($"years must be a positive number; got {years}.", nameof(years));
        }

        var sessions = series.Bars.Select(b => ExchangeTime.SessionDate(b.Timestamp)).Distinct().Count();
        var barsPerSession = sessions == 0 ? 1.0 : (double)series.Bars.Count / sessions;
        return Math.Max(1, (int)Math.Round(years * tradingDaysPerYear * barsPerSession));
    }
}
