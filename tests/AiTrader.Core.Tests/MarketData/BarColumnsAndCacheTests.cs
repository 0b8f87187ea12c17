using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Tests.MarketData;

/// <summary>Issue 12: the columnar bars, the fast number path, the single-pass outlier check and the file cache give
/// exactly what the row-by-row code gave.</summary>
public sealed class BarColumnsAndCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aitrader-cols-").FullName;

    public void Dispose()
    {
        BarFileCache.WaitForPendingWrites(); // the write-behind test's last entry may still be on its way
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("123.45")]
    [InlineData("123.4500")]
    [InlineData("0.000")]
    [InlineData("007.5")]
    [InlineData("2470100")]
    [InlineData("0")]
    [InlineData("9999999999999999")]
    [InlineData("0.0000000000000000000001")]
    public void Plain_numbers_pack_to_the_decimal_that_decimal_parse_gives(string text)
    {
        Assert.True(CsvBarParser.TryParsePlain(text, out var packed));
        var expected = decimal.Parse(text, CultureInfo.InvariantCulture);
        Assert.Equal(decimal.GetBits(expected), decimal.GetBits(DecimalColumn.Unpack(packed)));
        Assert.Equal(expected.ToString(CultureInfo.InvariantCulture), DecimalColumn.Unpack(packed).ToString(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1e3")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("12345678901234567")]
    [InlineData("1.2.3")]
    [InlineData("")]
    public void Other_spellings_take_the_general_path(string text) => Assert.False(CsvBarParser.TryParsePlain(text, out _));

    [Fact]
    public void Random_prices_round_trip_through_packing_bit_for_bit()
    {
        var random = new Random(12);
        for (var i = 0; i < 10_000; i++)
        {
            var value = new decimal(random.Next(), random.Next(0, 1000), 0, random.Next(2) == 0, (byte)random.Next(0, 29));
            Assert.True(DecimalColumn.TryPack(value, out var packed));
            Assert.Equal(decimal.GetBits(value), decimal.GetBits(DecimalColumn.Unpack(packed)));
        }

        var column = new DecimalColumn(2);
        column.Set(0, 1.5m);
        column.Set(1, 79228162514264337593543950335m);
        Assert.Null(column.Packed);
        Assert.Equal(1.5m, column[0]);
        Assert.Equal(79228162514264337593543950335m, column[1]);
    }

    [Fact]
    public void The_index_of_an_extreme_is_the_first_of_equal_values_whatever_their_scale()
    {
        // Highs 5.00, 5.00, 5.0, 4.99, 5.00 and lows 3, 3.0, 2.999, 2.999, 3: equal values in one scale, equal values in
        // another, and a strict extreme between them; the first of a tie wins, as a scan by hand gives.
        decimal[] highs = [5.00m, 5.00m, 5.0m, 4.99m, 5.00m];
        decimal[] lows = [3m, 3.0m, 2.999m, 2.999m, 3m];
        var high = new DecimalColumn(highs.Length);
        var low = new DecimalColumn(lows.Length);
        for (var i = 0; i < highs.Length; i++)
        {
            high.Set(i, highs[i]);
            low.Set(i, lows[i]);
        }

        Assert.NotNull(high.Packed);
        Assert.Equal(0, high.IndexOfExtreme(0, 5, largest: true));
        Assert.Equal(1, high.IndexOfExtreme(1, 5, largest: true));
        Assert.Equal(3, high.IndexOfExtreme(3, 4, largest: false));
        Assert.Equal(3, high.IndexOfExtreme(0, 5, largest: false));
        Assert.Equal(2, low.IndexOfExtreme(0, 5, largest: false));
        Assert.Equal(0, low.IndexOfExtreme(0, 5, largest: true));
        Assert.Equal(4, low.IndexOfExtreme(4, 5, largest: true));
    }

    [Fact]
    public void Outlier_check_on_columns_flags_exactly_what_the_bar_by_bar_check_flags()
    {
        var bars = new SyntheticBarGenerator(7).Generate(new DateTime(2010, 1, 4, 14, 30, 0, DateTimeKind.Utc), Timeframe.OneMinute, 20_000).Bars.ToList();
        var random = new Random(3);
        for (var k = 0; k < 60; k++)
        {
            // Spikes of every size around the limit, so the exact recheck is exercised on both sides.
            var i = random.Next(1, bars.Count);
            var b = bars[i];
            var factor = 1.2m + (decimal)random.NextDouble() * 1.2m;
            bars[i] = b with { High = Math.Round(b.High * factor, 2) };
        }

        for (var k = 0; k < 40; k++)
        {
            // Wide but genuine bars (a low at three quarters of both closes) raise the limit over the next ten bars above
            // MinSpikeRatio, so spikes right after them are judged against the recent ranges; each is followed by one.
            var i = random.Next(1, bars.Count - 3);
            var b = bars[i];
            bars[i] = b with { Low = Math.Round(Math.Min(b.Close, bars[i - 1].Close) * 0.75m, 2) };
            var next = bars[i + 2];
            bars[i + 2] = next with { High = Math.Round(next.High * (1.4m + (decimal)random.NextDouble() * 1.4m), 2) };
        }

        var expected = new List<BarFlag>();
        var check = new OutlierCheck();
        foreach (var b in bars)
        {
            if (check.Next(b) is { } reason)
            {
                expected.Add(new BarFlag(b.Timestamp, reason));
            }
        }

        Assert.NotEmpty(expected);
        Assert.Equal(expected, OutlierDetector.Detect(BarColumns.From(bars)));
    }

    [Fact]
    public void Cache_serves_the_same_bars_and_rebuilds_when_the_file_changes_or_the_entry_is_damaged()
    {
        var csv = Path.Combine(_dir, "SPY.csv");
        File.WriteAllText(csv, "timestamp,open,high,low,close,volume,trade_count,vwap\n" +
            "2013-10-07T13:30:00Z,168.71,168.75,168.30,168.40,2470100,812,168.51\n2013-10-07T13:31:00Z,168.41,168.56,168.35,168.50,1580200,,\n");
        var cache = new BarFileCache(Path.Combine(_dir, "cache"), writeBehind: true);
        var parsed = cache.Load(csv, CsvBarParser.ParseFileColumns);
        Assert.Equal(BarCacheOutcome.Miss, cache.OutcomeOf(csv));
        var cached = cache.Load(csv, _ => throw new InvalidOperationException("the cache should have served this"));
        Assert.Equal(BarCacheOutcome.Hit, cache.OutcomeOf(csv));
        Assert.Equal(parsed.ToArray(), cached.ToArray());
        Assert.Null(cached[1].TradeCount);
        Assert.Equal(812, cached[0].TradeCount);

        // Damage the entry: it is rejected and the CSV read again.
        var entry = Directory.GetFiles(Path.Combine(_dir, "cache")).Single();
        var bytes = File.ReadAllBytes(entry);
        bytes[^3] ^= 0x5A;
        File.WriteAllBytes(entry, bytes);
        Assert.Equal(parsed.ToArray(), cache.Load(csv, CsvBarParser.ParseFileColumns).ToArray());
        Assert.Equal(BarCacheOutcome.Corrupt, cache.OutcomeOf(csv));

        // Change the file: the old entry is stale.
        File.AppendAllText(csv, "2013-10-07T13:32:00Z,168.51,168.60,168.40,168.55,1254300,390,168.50\n");
        Assert.Equal(3, cache.Load(csv, CsvBarParser.ParseFileColumns).Count);
        Assert.Equal(BarCacheOutcome.Stale, cache.OutcomeOf(csv));

        // A truncated entry is corrupt too (once the rebuilt entry's background write is done).
        BarFileCache.WaitForPendingWrites();
        File.WriteAllBytes(entry, File.ReadAllBytes(entry)[..100]);
        Assert.Equal(3, cache.Load(csv, CsvBarParser.ParseFileColumns).Count);
        Assert.Equal(BarCacheOutcome.Corrupt, cache.OutcomeOf(csv));
    }

    [Fact]
    public void A_file_changed_in_place_with_its_size_and_time_kept_is_never_served_from_the_old_entry()
    {
        var csv = Path.Combine(_dir, "QQQ.csv");
        File.WriteAllText(csv, "timestamp,open,high,low,close,volume\n2013-10-07T13:30:00Z,75.10,75.20,75.00,75.15,1000\n");
        var time = File.GetLastWriteTimeUtc(csv);
        var cache = new BarFileCache(Path.Combine(_dir, "cache"));
        Assert.Equal(75.15m, cache.Load(csv, CsvBarParser.ParseFileColumns)[0].Close);
        BarFileCache.WaitForPendingWrites();
        Assert.Single(Directory.GetFiles(Path.Combine(_dir, "cache")));

        // Same length, same modification time, different close: only the content hash tells.
        File.WriteAllText(csv, "timestamp,open,high,low,close,volume\n2013-10-07T13:30:00Z,75.10,75.20,75.00,75.19,1000\n");
        File.SetLastWriteTimeUtc(csv, time);
        Assert.Equal(75.19m, cache.Load(csv, CsvBarParser.ParseFileColumns)[0].Close);
        Assert.Equal(BarCacheOutcome.Stale, cache.OutcomeOf(csv));
        Assert.Equal(75.19m, cache.Load(csv, _ => throw new InvalidOperationException("the rebuilt entry should serve this"))[0].Close);
        Assert.Equal(BarCacheOutcome.Hit, cache.OutcomeOf(csv));
    }

    [Fact]
    public async Task Csv_source_range_is_a_view_with_the_same_bars_as_a_filter()
    {
        var source = CsvBarSource.OpenSample(NyseCalendar.Instance);
        var all = await source.GetBarsAsync(new BarRequest(new Symbol("SPY"), Timeframe.OneDay));
        var start = new DateTime(2008, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var end = new DateTime(2009, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var part = await source.GetBarsAsync(new BarRequest(new Symbol("SPY"), Timeframe.OneDay, start, end));
        Assert.IsType<BarColumns>(part.Bars);
        Assert.Equal(all.Bars.Where(b => b.Timestamp >= start && b.Timestamp <= end), part.Bars);
    }
}
