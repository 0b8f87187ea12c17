using System.Diagnostics;
using AiTrader.Core.MarketData;
using static AiTrader.Core.Tests.MarketData.TestData;

namespace AiTrader.Core.Tests.MarketData;

public sealed class CsvBarParserTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aitrader-csv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private MarketDataException Fails(string name, string content)
    {
        var path = Write(name, content);
        return Assert.Throws<MarketDataException>(() => CsvBarParser.ParseFile(path));
    }

    [Fact]
    public void Bad_number_names_file_line_and_column()
    {
        var e = Fails("BADNUM.csv", "date,open,high,low,close,volume\n2020-01-02,1,2,0.5,1.5,100\n2020-01-03,1,2,0.5,abc,100\n");
        Assert.Contains("BADNUM.csv:3:", e.Message);
        Assert.Contains("'abc' is not a number in column close", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Missing_column_lists_expected_header()
    {
        var e = Fails("NOCLOSE.csv", "date,open,high,low,volume\n2020-01-02,1,2,0.5,100\n");
        Assert.Contains("NOCLOSE.csv:1: missing column 'close' (expected date,open,high,low,close,volume)", e.Message);
    }

    [Fact]
    public void Out_of_order_rows_are_rejected()
    {
        var e = Fails("ORDER.csv",
            "timestamp,open,high,low,close,volume\n2013-10-04T13:32:00Z,1,1,1,1,1\n2013-10-04T13:33:00Z,1,1,1,1,1\n2013-10-04T13:31:00Z,1,1,1,1,1\n");
        Assert.Contains("ORDER.csv:4: timestamp 2013-10-04T13:31:00Z is not after the previous row (out of order)", e.Message);
    }

    [Fact]
    public void Duplicate_timestamp_is_rejected()
    {
        var e = Fails("DUP.csv", "date,open,high,low,close,volume\n2020-01-02,1,1,1,1,1\n2020-01-02,1,1,1,1,1\n");
        Assert.Contains("DUP.csv:3: duplicate timestamp 2020-01-02 (also on line 2)", e.Message);
    }

    [Fact]
    public void High_below_low_is_rejected()
    {
        var e = Fails("HL.csv", "date,open,high,low,close,volume\n2020-01-02,10.7,10.5,11.0,10.8,1\n");
        Assert.Contains("HL.csv:2: high 10.5 is below low 11.0", e.Message);
    }

    [Fact]
    public void Empty_file_and_header_only_are_rejected()
    {
        Assert.Contains("EMPTY.csv:1: file is empty", Fails("EMPTY.csv", "").Message);
        Assert.Contains("HEADER.csv:1: header only, no data rows", Fails("HEADER.csv", "date,open,high,low,close,volume\n").Message);
    }

    [Fact]
    public void Timestamp_without_zone_is_rejected()
    {
        var e = Fails("NOZ.csv", "timestamp,open,high,low,close,volume\n2013-10-04T13:31:00,1,1,1,1,1\n");
        Assert.Contains("NOZ.csv:2: '2013-10-04T13:31:00' is not a UTC timestamp", e.Message);
    }

    [Fact]
    public void Header_columns_in_any_order_and_case_with_extras_and_optionals()
    {
        var path = Write("ANY.csv",
            "Volume,CLOSE,extra,low,high,open,Timestamp,trade_count,vwap\r\n100,10.5,x,10,11,10.2,2013-10-07T13:30:00Z,7,10.4\r\n");
        var bar = Assert.Single(CsvBarParser.ParseFile(path));
        Assert.Equal(Utc("2013-10-07T13:30:00Z"), bar.Timestamp);
        Assert.Equal((10.2m, 11m, 10m, 10.5m, 100m), (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume));
        Assert.Equal(7L, bar.TradeCount);
        Assert.Equal(10.4m, bar.Vwap);
    }

    [Fact]
    public void Aapl_daily_raw_close_on_2014_06_06()
    {
        var bars = CsvBarParser.ParseFile(Daily("AAPL"));
        Assert.Equal(5849, bars.Count);
        var bar = At(bars, DailyStamp(2014, 6, 6));
        Assert.Equal(Utc("2014-06-06T13:30:00Z"), bar.Timestamp); // 09:30 EDT
        Assert.Equal((650.00m, 645.57m), (bar.Open, bar.Close));
        Assert.Equal(DateTimeKind.Utc, bar.Timestamp.Kind);
        Assert.Equal(Utc("1998-01-02T14:30:00Z"), bars[0].Timestamp); // 09:30 EST
    }

    [Fact]
    public void Spy_minute_opening_bar_2013_10_07()
    {
        var bars = CsvBarParser.ParseFile(Minute("SPY"));
        Assert.Equal(5786, bars.Count);
        var bar = At(bars, Utc("2013-10-07T13:30:00Z"));
        var row = File.ReadLines(Minute("SPY")).Single(l => l.StartsWith("2013-10-07T13:30:00Z", StringComparison.Ordinal)).Split(',');
        Assert.Equal(decimal.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture), bar.Open);
        Assert.Equal(decimal.Parse(row[4], System.Globalization.CultureInfo.InvariantCulture), bar.Close);
        Assert.Equal(decimal.Parse(row[5], System.Globalization.CultureInfo.InvariantCulture), bar.Volume);
    }

    [Fact]
    public void Shy_opening_bar_moves_with_dst()
    {
        var bars = CsvBarParser.ParseFile(Minute("SHY"));
        var open0307 = At(bars, Utc("2008-03-07T14:30:00Z"));
        var open0310 = At(bars, Utc("2008-03-10T13:30:00Z"));
        Assert.Equal(new TimeOnly(9, 30), TimeOnly.FromDateTime(AiTrader.Core.Sessions.ExchangeTime.ToNewYork(open0307.Timestamp)));
        Assert.Equal(new TimeOnly(9, 30), TimeOnly.FromDateTime(AiTrader.Core.Sessions.ExchangeTime.ToNewYork(open0310.Timestamp)));
        Assert.Equal((84.26m, 84.27m, 3200m), (open0307.Open, open0307.Close, open0307.Volume));
    }

    [Fact]
    public void Every_bundled_file_parses()
    {
        // Parse speed is measured by `aitrader bench`, not asserted here: timed unit tests fail on busy machines.
        foreach (var file in Directory.EnumerateFiles(SampleRoot, "*.csv", SearchOption.AllDirectories).Where(f => !f.Contains("corporate_actions")))
        {
            Assert.NotEmpty(CsvBarParser.ParseFile(file));
        }

        Assert.Equal(5849, CsvBarParser.ParseFile(Daily("SPY")).Count);
    }

    [Fact]
    public void Daily_timestamps_are_0930_new_york_on_every_date_across_dst_changes()
    {
        var dates = Enumerable.Range(0, 365 * 40).Select(i => new DateOnly(1990, 1, 1).AddDays(i)).ToList();
        var csv = "date,open,high,low,close,volume\n" + string.Concat(dates.Select(d => $"{d:yyyy-MM-dd},1,1,1,1,1\n"));
        var bars = CsvBarParser.Parse(new StringReader(csv), "ALL.csv");
        for (var i = 0; i < dates.Count; i++)
        {
            Assert.Equal(AiTrader.Core.Sessions.ExchangeTime.ToUtc(dates[i], new TimeOnly(9, 30)), bars[i].Timestamp);
        }
    }
}
