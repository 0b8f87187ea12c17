using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.Signals;
using AiTrader.Core.Tests.IO;
using AiTrader.Storage.Signals;

namespace AiTrader.Core.Tests.Signals.Pipeline;

public sealed class SignalExportTests
{
    private const string RequiredHeader =
        "timestamp,close,filtered_price,velocity,price_variance,prob_up,regime,open,high,low,volume," +
        "sma_20,ema_20,atr_14,rsi_14,donchian_high_20,donchian_low_20,zscore_20,bb_upper_20,bb_lower_20";

    private static IReadOnlyList<SignalFrame> Frames(int count = 60) =>
        SignalPipeline.Run(SignalTestBars.Synthetic(Timeframe.OneDay, count), Timeframe.OneDay);

    private static string[] Csv(IEnumerable<SignalFrame> frames, bool explain = false)
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        SignalFrameCsvWriter.Write(writer, frames, explain);
        return writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void Csv_header_starts_with_the_contract_columns_in_order()
    {
        var lines = Csv(Frames());
        Assert.StartsWith(RequiredHeader + ",", lines[0]);
        Assert.Equal(SignalFrameCsvWriter.Header, lines[0]);
        Assert.Equal(61, lines.Length);
        var columns = lines[0].Split(',').Length;
        Assert.All(lines, l => Assert.Equal(columns, l.Split(',').Length));
    }

    [Fact]
    public void The_regime_reason_column_is_written_only_when_asked_for()
    {
        var frames = Frames();
        var plain = Csv(frames);
        Assert.EndsWith(",kalman_warmup", plain[0], StringComparison.Ordinal);
        Assert.DoesNotContain("regime_reason", plain[0], StringComparison.Ordinal);
        Assert.DoesNotContain(plain, l => l.Contains("prob_up ", StringComparison.Ordinal));

        var explained = Csv(frames, explain: true);
        Assert.Equal(SignalFrameCsvWriter.Header + ",regime_reason", explained[0]);
        for (var i = 1; i < plain.Length; i++)
        {
            // The same row with the reason after it (the reasons here hold no commas).
            Assert.Equal(plain[i] + "," + frames[i - 1].RegimeLabel.Reason, explained[i]);
        }
    }

    [Fact]
    public void Csv_cells_are_empty_during_warm_up_and_filled_after()
    {
        var lines = Csv(Frames());
        var header = lines[0].Split(',');
        int Col(string name) => Array.IndexOf(header, name);
        for (var row = 0; row < 60; row++)
        {
            var cells = lines[row + 1].Split(',');
            Assert.Equal(row >= 19, cells[Col("sma_20")].Length > 0);
            Assert.Equal(row >= 19, cells[Col("bb_upper_20")].Length > 0);
            Assert.Equal(row >= 14, cells[Col("atr_14")].Length > 0);
            Assert.Equal(row >= 14, cells[Col("rsi_14")].Length > 0);
            Assert.Equal(row >= 20, cells[Col("vol_20")].Length > 0);
            Assert.Equal(string.Empty, cells[Col("vwap")]);
            Assert.Equal("Unknown", cells[Col("regime")]);
            Assert.NotEqual(string.Empty, cells[Col("filtered_price")]);
        }
    }

    [Fact]
    public void Csv_numbers_round_trip_exactly_in_invariant_culture_whatever_the_thread_culture()
    {
        var frames = Frames();
        var previous = CultureInfo.CurrentCulture;
        try
        {
            // The test host runs in globalization-invariant mode, so build a comma-decimal culture by hand.
            var commaDecimal = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            commaDecimal.NumberFormat.NumberDecimalSeparator = ",";
            commaDecimal.NumberFormat.NumberGroupSeparator = ".";
            CultureInfo.CurrentCulture = commaDecimal;
            var lines = Csv(frames);
            var cells = lines[25].Split(',');
            var f = frames[24];
            Assert.Equal(f.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), cells[0]);
            Assert.Equal(f.Close, decimal.Parse(cells[1], CultureInfo.InvariantCulture));
            Assert.Equal(f.FilteredPrice, double.Parse(cells[2], CultureInfo.InvariantCulture));
            Assert.Equal(f.Velocity, double.Parse(cells[3], CultureInfo.InvariantCulture));
            Assert.Equal(f.PriceVariance, double.Parse(cells[4], CultureInfo.InvariantCulture));
            Assert.Equal(f.ProbabilityUp, double.Parse(cells[5], CultureInfo.InvariantCulture));
            Assert.Equal(f.Sma!.Value, double.Parse(cells[11], CultureInfo.InvariantCulture));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Csv_quotes_a_reason_that_holds_a_comma_or_quote()
    {
        var frame = Frames(5)[4];
        var odd = frame with { RegimeLabel = frame.RegimeLabel with { Reason = "a, \"b\"" } };
        Assert.EndsWith(",\"a, \"\"b\"\"\"\n", SignalFrameCsvWriter.FormatLine(odd, explain: true));
        Assert.DoesNotContain("a, ", SignalFrameCsvWriter.FormatLine(odd), StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_file_is_written_atomically_with_no_temp_files_left()
    {
        using var dir = new TempDirectory();
        var path = dir.File("out/signals.csv");
        var frames = Frames();
        SignalFrameCsvWriter.WriteFile(path, frames);
        SignalFrameCsvWriter.WriteFile(path, frames.Take(30)); // replaces, never appends
        Assert.Equal(["out/signals.csv"], dir.AllFileNames());
        var lines = File.ReadAllLines(path);
        Assert.Equal(31, lines.Length);
        Assert.Equal(SignalFrameCsvWriter.Header, lines[0]);
    }

    [Fact]
    public async Task Parquet_streamed_in_row_groups_reads_back_every_frame_in_order()
    {
        using var dir = new TempDirectory();
        var path = dir.File("signals.parquet");
        var sample = SignalPipeline.Run(SignalTestBars.Synthetic(Timeframe.OneMinute, 400), Timeframe.OneMinute);
        var start = sample[0].Timestamp;
        var count = (2 * ParquetSignalFile.RowGroupRows) + 17;

        // An enumeration, not a list: the writer sees the frames one at a time, as `aitrader signals` hands them over.
        IEnumerable<SignalFrame> Frames()
        {
            for (var i = 0; i < count; i++)
            {
                yield return sample[i % sample.Count] with { Timestamp = start.AddMinutes(i) };
            }
        }

        await ParquetSignalFile.WriteAsync(path, Frames(), explain: true);
        var rows = await ParquetSignalFile.ReadAsync(path);
        Assert.Equal(count, rows.Count);
        for (var i = 0; i < count; i += 997)
        {
            var f = sample[i % sample.Count];
            Assert.Equal(start.AddMinutes(i), rows[i].Timestamp);
            Assert.Equal((double)f.Close, rows[i].Close);
            Assert.Equal(f.ProbabilityUp, rows[i].ProbabilityUp);
            Assert.Equal(f.Rsi, rows[i].Rsi14);
            Assert.Equal(f.RegimeLabel.Reason, rows[i].RegimeReason);
        }

        Assert.Equal(start.AddMinutes(count - 1), rows[^1].Timestamp);
    }

    [Fact]
    public async Task Parquet_round_trip_keeps_every_column_and_the_nulls()
    {
        using var dir = new TempDirectory();
        var path = dir.File("signals.parquet");
        var frames = SignalPipeline.Run(SignalTestBars.Synthetic(Timeframe.FiveMinutes, 78 * 12), Timeframe.FiveMinutes);
        await ParquetSignalFile.WriteAsync(path, frames, explain: true);
        var rows = await ParquetSignalFile.ReadAsync(path);
        Assert.Equal(frames.Count, rows.Count);
        for (var i = 0; i < frames.Count; i++)
        {
            var f = frames[i];
            var r = rows[i];
            Assert.Equal(f.Timestamp, r.Timestamp);
            Assert.Equal(DateTimeKind.Utc, r.Timestamp.Kind);
            Assert.Equal((double)f.Close, r.Close);
            Assert.Equal((double)f.Open, r.Open);
            Assert.Equal((double)f.High, r.High);
            Assert.Equal((double)f.Low, r.Low);
            Assert.Equal((double)f.Volume, r.Volume);
            Assert.Equal(f.FilteredPrice, r.FilteredPrice);
            Assert.Equal(f.Velocity, r.Velocity);
            Assert.Equal(f.PriceVariance, r.PriceVariance);
            Assert.Equal(f.ProbabilityUp, r.ProbabilityUp);
            Assert.Equal(f.Regime.ToString(), r.Regime);
            Assert.Equal(f.Sma, r.Sma20);
            Assert.Equal(f.Ema, r.Ema20);
            Assert.Equal(f.Atr, r.Atr14);
            Assert.Equal(f.Rsi, r.Rsi14);
            Assert.Equal(f.DonchianHigh, r.DonchianHigh20);
            Assert.Equal(f.DonchianLow, r.DonchianLow20);
            Assert.Equal(f.ZScore, r.ZScore20);
            Assert.Equal(f.BollingerUpper, r.BollingerUpper20);
            Assert.Equal(f.BollingerLower, r.BollingerLower20);
            Assert.Equal(f.Volatility, r.Vol20);
            Assert.Equal(f.Vwap, r.Vwap);
            Assert.Equal(f.GapPercent, r.GapPct);
            Assert.Equal(f.RelativeVolume, r.Rvol);
            Assert.Equal(f.VelocityStdDev, r.VelocityStd);
            Assert.Equal(f.IsWarmup, r.KalmanWarmup);
            Assert.Equal(f.RegimeLabel.Reason, r.RegimeReason);
        }

        // Without --debug the file has no regime_reason column; every other column reads back the same.
        var plainPath = dir.File("plain.parquet");
        await ParquetSignalFile.WriteAsync(plainPath, frames);
        var plain = await ParquetSignalFile.ReadAsync(plainPath);
        Assert.Equal(rows.Select(r => r with { RegimeReason = null }), plain);
        Assert.True(new FileInfo(plainPath).Length < new FileInfo(path).Length);

        Assert.Null(rows[0].Sma20);
        Assert.NotNull(rows[19].Sma20);
        Assert.Contains(rows, r => r.Rvol is null);
        Assert.Contains(rows, r => r.Rvol is not null);
    }

    [Fact]
    public async Task Parquet_reader_rejects_a_file_that_is_not_a_signals_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("bars.parquet");
        await AiTrader.Storage.ParquetBarFile.WriteAsync(path, SignalTestBars.Synthetic(Timeframe.OneDay, 3));
        await Assert.ThrowsAsync<InvalidDataException>(() => ParquetSignalFile.ReadAsync(path));
    }
}
