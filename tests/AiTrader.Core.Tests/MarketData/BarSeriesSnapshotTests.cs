using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.Core.Tests.MarketData;

/// <summary>Issue 17: a loaded series written as a content-named snapshot (the cluster's shared bar cache) reads back
/// bar for bar with its flags, and any file that is not what its name says is refused.</summary>
public sealed class BarSeriesSnapshotTests : IDisposable
{
    private static readonly DateTime Start = new(2020, 1, 2, 14, 30, 0, DateTimeKind.Utc);
    private readonly string _dir = Directory.CreateTempSubdirectory("aitrader-snap-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_range_of_columns_reads_back_bar_for_bar_with_its_flags()
    {
        var all = BarColumns.From(new SyntheticBarGenerator(5).Generate(Start, Timeframe.OneMinute, 500).Bars);
        // A view in the middle of the arrays, as a sweep's range is.
        var view = all.Slice(100, 250);
        var flags = new List<BarFlag> { new(view[3].Timestamp, "spike: high 40% above the previous close"), new(view[200].Timestamp, "zero volume ü") };
        var series = new BarSeries(new Symbol("SPY"), Timeframe.OneMinute, view, flags);

        var name = BarSeriesSnapshot.Write(_dir, series);
        var read = BarSeriesSnapshot.TryRead(Path.Combine(_dir, name), series.Symbol, series.Timeframe);

        Assert.NotNull(read);
        Assert.Equal(view.ToList(), read.Bars.ToList());
        Assert.Equal(flags, read.Flags);
        Assert.StartsWith("SPY-1Min-", name, StringComparison.Ordinal);
        Assert.Equal(name, BarSeriesSnapshot.NameOf(series));
        // The same bars as a plain list (no views) have the same content, so the same name.
        Assert.Equal(name, BarSeriesSnapshot.NameOf(series with { Bars = view.ToList() }));
    }

    [Fact]
    public void Wide_prices_missing_values_and_trade_counts_round_trip()
    {
        var bars = new List<Bar>
        {
            new(Start, 1.5m, 79228162514264337593543950335m, 1m, 2m, 100m, tradeCount: 7, vwap: 1.75m),
            new(Start.AddMinutes(1), 2m, 3m, 1.25m, 2.5m, 0m, tradeCount: null, vwap: null),
        };
        var series = new BarSeries(new Symbol("BRK.B"), Timeframe.Parse("5Min"), bars, []);

        var name = BarSeriesSnapshot.Write(_dir, series);
        var read = BarSeriesSnapshot.TryRead(Path.Combine(_dir, name), series.Symbol, series.Timeframe);

        Assert.NotNull(read);
        Assert.Equal(bars, read.Bars.ToList());
        Assert.Empty(read.Flags);
    }

    [Fact]
    public void A_file_that_is_not_what_its_name_says_is_refused()
    {
        var series = new BarSeries(new Symbol("SPY"), Timeframe.OneDay,
            BarColumns.From(new SyntheticBarGenerator(9).Generate(Start, Timeframe.OneDay, 300).Bars), [new BarFlag(Start, "gap")]);
        var name = BarSeriesSnapshot.Write(_dir, series);
        var path = Path.Combine(_dir, name);
        var bytes = File.ReadAllBytes(path);

        // One bit flipped in a price.
        var flipped = (byte[])bytes.Clone();
        flipped[64 + (8 * 300) + 17] ^= 0x10;
        File.WriteAllBytes(path, flipped);
        Assert.Null(BarSeriesSnapshot.TryRead(path, series.Symbol, series.Timeframe));

        // Torn: the last bytes never arrived.
        File.WriteAllBytes(path, bytes[..^5]);
        Assert.Null(BarSeriesSnapshot.TryRead(path, series.Symbol, series.Timeframe));

        // Whole, but under another content's name, or asked for as another symbol's or interval's bars.
        File.WriteAllBytes(path, bytes);
        var renamed = Path.Combine(_dir, "SPY-1Day-0123456789abcdef.bars");
        File.Copy(path, renamed);
        Assert.Null(BarSeriesSnapshot.TryRead(renamed, series.Symbol, series.Timeframe));
        Assert.Null(BarSeriesSnapshot.TryRead(path, new Symbol("QQQ"), series.Timeframe));
        Assert.Null(BarSeriesSnapshot.TryRead(path, series.Symbol, Timeframe.OneMinute));
        Assert.NotNull(BarSeriesSnapshot.TryRead(path, series.Symbol, series.Timeframe));

        // Different flags are different content: another name.
        Assert.NotEqual(name, BarSeriesSnapshot.NameOf(series with { Flags = [] }));
    }
}
