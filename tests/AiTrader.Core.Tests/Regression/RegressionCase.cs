using System.Collections.Concurrent;
using System.Globalization;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Regression;

/// <summary>One pinned backtest: a strategy with its default parameters and default <see cref="ExchangeOptions"/> on a
/// slice of the bundled sample data (split-adjusted, as the CLI loads it).</summary>
/// <param name="Symbol">Ticker in data/sample.</param>
/// <param name="Strategy">Catalog name.</param>
/// <param name="Interval">Bar interval as the CLI spells it (1Day, 1Min, ...).</param>
/// <param name="Start">First New York session date, inclusive; null for the whole file.</param>
/// <param name="End">Last New York session date, inclusive; null for the whole file.</param>
public sealed record RegressionCase(string Symbol, string Strategy, string Interval, string? Start, string? End)
{
    private static readonly ConcurrentDictionary<string, Lazy<BarSeries>> SeriesCache = new(StringComparer.Ordinal);

    /// <summary>Every pinned case. Adding one here makes its theory row fail until its pin is recorded.</summary>
    public static IReadOnlyList<RegressionCase> All { get; } =
    [
        .. Daily("SPY", "2005-01-01", "2021-03-31"),
        .. Daily("AAPL", "2010-01-01", "2021-03-31"),
        // IBM 2000.. includes the 2002-12-23 bad print the outlier check flags, so the skip path is pinned too.
        .. Daily("IBM", "2000-01-01", "2021-03-31"),
        new("SPY", BreakoutStrategy.CatalogName, "1Min", null, null),
    ];

    /// <summary>The key of this case in pins.json, e.g. <c>SPY-breakout-1Day-2005-01-01..2021-03-31</c>.</summary>
    public string Name => $"{Symbol}-{Strategy}-{Interval}-{Start ?? "first"}..{End ?? "last"}";

    /// <summary>Loads the bars (cached per slice) and runs the backtest.</summary>
    public BacktestResult Run()
    {
        var series = SeriesCache.GetOrAdd($"{Symbol}|{Interval}|{Start}|{End}", _ => new Lazy<BarSeries>(Load)).Value;
        return new BacktestEngine(new ExchangeOptions()).Run(series, StrategyCatalog.Create(Strategy));
    }

    public override string ToString() => Name;

    private static IEnumerable<RegressionCase> Daily(string symbol, string start, string end) =>
        StrategyCatalog.Names.Select(s => new RegressionCase(symbol, s, "1Day", start, end));

    private BarSeries Load()
    {
        // The same range convention as the CLI: whole New York session dates, inclusive.
        DateTime? startUtc = Start is null ? null : ExchangeTime.StartOfDateUtc(ParseDate(Start));
        DateTime? endUtc = End is null ? null : ExchangeTime.EndOfDateUtc(ParseDate(End));
        var source = new CsvBarSource(TestPaths.SampleRoot, NyseCalendar.Instance);
        var request = new BarRequest(new Symbol(Symbol), Timeframe.Parse(Interval), startUtc, endUtc);
        var series = source.GetBarsAsync(request).GetAwaiter().GetResult();
        return series.Bars.Count > 0 ? series : throw new InvalidOperationException($"{Name}: no bars in the sample data.");
    }

    private static DateOnly ParseDate(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
