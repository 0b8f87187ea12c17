using AiTrader.Core.Domain;
using AiTrader.Core.IO;
using AiTrader.Storage;

namespace AiTrader.Integration.Tests.Storage;

public sealed class ParquetBarFileTests
{
    [Fact]
    public async Task Round_trip_of_the_bundled_SPY_minute_bars_is_exact()
    {
        using var dir = new TempDirectory();
        var bars = StorageTestData.SpyMinuteBars;
        Assert.True(bars.Count > 5000);
        var path = Path.Combine(dir.Path, "spy.parquet");

        var checksum = await ParquetBarFile.WriteAsync(path, bars);
        var read = await ParquetBarFile.ReadAsync(path, checksum);

        Assert.Equal(bars.Count, read.Count);
        for (var i = 0; i < bars.Count; i++)
        {
            Assert.Equal(bars[i], read[i]);
            Assert.Equal(DateTimeKind.Utc, read[i].Timestamp.Kind);
        }
    }

    [Fact]
    public async Task Round_trip_keeps_optional_columns_extreme_values_and_microseconds()
    {
        var t = StorageTestData.Utc(2024, 3, 8, 14, 30).AddTicks(1234560); // 123.456 ms
        var bars = new List<Bar>
        {
            new(t, 0.00000001m, 9_999_999_999.99999999m, 0.00000001m, 1234.5678m, 99_999_999_999_999_999_999.99999999m, long.MaxValue, 0.12345678m),
            new(t.AddMinutes(1), 1m, 2m, 0.5m, 1.5m, 0.5m, null, null),
            new(t.AddMinutes(2), 1m, 2m, 0.5m, 1.5m, 0m, 0, 1.25m),
        };
        bars.AddRange(StorageTestData.Minutes(t.AddHours(1), 50));

        var read = await ParquetBarFile.DeserializeAsync(await ParquetBarFile.SerializeAsync(bars));

        Assert.Equal(bars, read);
    }

    [Fact]
    public async Task The_file_schema_is_the_documented_one()
    {
        var bytes = await ParquetBarFile.SerializeAsync(StorageTestData.Minutes(StorageTestData.Utc(2024, 1, 2, 15), 3));
        using var stream = new MemoryStream(bytes);
        await using var reader = await Parquet.ParquetReader.CreateAsync(stream);

        var columns = reader.Metadata!.Schema.Skip(1).Select(e =>
            $"{e.Name}:{e.Type}:{e.RepetitionType}:{(e.LogicalType?.DECIMAL is { } d ? $"decimal({d.Precision},{d.Scale})" : "")}" +
            $"{(e.LogicalType?.TIMESTAMP is { } ts ? $"timestamp(utc={ts.IsAdjustedToUTC},micros={ts.Unit.MICROS is not null})" : "")}");
        Assert.Equal(
            [
                "timestamp:INT64:REQUIRED:timestamp(utc=True,micros=True)",
                "open:INT64:REQUIRED:decimal(18,8)",
                "high:INT64:REQUIRED:decimal(18,8)",
                "low:INT64:REQUIRED:decimal(18,8)",
                "close:INT64:REQUIRED:decimal(18,8)",
                "volume:FIXED_LEN_BYTE_ARRAY:REQUIRED:decimal(28,8)",
                "trade_count:INT64:OPTIONAL:",
                "vwap:INT64:OPTIONAL:decimal(18,8)",
            ],
            columns);
        Assert.Equal("1", reader.CustomMetadata["aitrader.bars.version"]);
    }

    [Fact]
    public async Task An_empty_series_round_trips()
    {
        var read = await ParquetBarFile.DeserializeAsync(await ParquetBarFile.SerializeAsync([]));
        Assert.Empty(read);
    }

    [Fact]
    public async Task Writing_the_same_bars_twice_gives_byte_identical_files()
    {
        using var dir = new TempDirectory();
        var bars = StorageTestData.SpyMinuteBars;
        var a = Path.Combine(dir.Path, "a.parquet");
        var b = Path.Combine(dir.Path, "b.parquet");

        var ca = await ParquetBarFile.WriteAsync(a, bars);
        await Task.Delay(1100); // a clock-dependent field would differ after a second
        var cb = await ParquetBarFile.WriteAsync(b, bars.ToList());

        Assert.Equal(await File.ReadAllBytesAsync(a), await File.ReadAllBytesAsync(b));
        Assert.Equal(ca, cb);
        Assert.Matches("^[0-9a-f]{64}$", ca);
    }

    [Fact]
    public async Task Values_the_columns_cannot_hold_exactly_are_rejected_not_rounded()
    {
        var t = StorageTestData.Utc(2024, 1, 2, 15);
        await Assert.ThrowsAsync<ArgumentException>(() => ParquetBarFile.SerializeAsync([new Bar(t, 167.65m / 3, 60m, 50m, 55m, 1m)]));
        await Assert.ThrowsAsync<ArgumentException>(() => ParquetBarFile.SerializeAsync([new Bar(t, 10_000_000_000m, 10_000_000_000m, 1m, 1m, 1m)]));
        await Assert.ThrowsAsync<ArgumentException>(() => ParquetBarFile.SerializeAsync([new Bar(t.AddTicks(1), 1m, 1m, 1m, 1m, 1m)]));
    }

    [Fact]
    public async Task Atomic_write_leaves_no_temp_file_and_replaces_the_target()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "nested", "bars.parquet");
        await ParquetBarFile.WriteAsync(path, StorageTestData.Minutes(StorageTestData.Utc(2024, 1, 2, 15), 10));
        await ParquetBarFile.WriteAsync(path, StorageTestData.Minutes(StorageTestData.Utc(2024, 1, 2, 15), 20));

        Assert.Equal(["bars.parquet"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
        Assert.Equal(20, (await ParquetBarFile.ReadAsync(path)).Count);
    }

    [Fact]
    public async Task A_write_that_throws_halfway_keeps_the_old_file_and_removes_the_temp_file()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "bars.parquet");
        var original = StorageTestData.Minutes(StorageTestData.Utc(2024, 1, 2, 15), 10);
        var checksum = await ParquetBarFile.WriteAsync(path, original);

        var ex = await Assert.ThrowsAsync<IOException>(() => AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await stream.WriteAsync(new byte[100_000], ct);
            await stream.FlushAsync(ct);
            throw new IOException("disk full (simulated)");
        }));

        Assert.Equal("disk full (simulated)", ex.Message);
        Assert.Equal(["bars.parquet"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        Assert.Equal(original, await ParquetBarFile.ReadAsync(path, checksum));
    }

    [Fact]
    public async Task A_failed_first_write_leaves_no_file_at_all()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "bars.parquet");

        await Assert.ThrowsAsync<OperationCanceledException>(() => AtomicFile.WriteAsync(path, async (stream, _) =>
        {
            await stream.WriteAsync(new byte[10]);
            throw new OperationCanceledException();
        }));

        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public async Task A_checksum_mismatch_or_garbage_is_reported_as_invalid_data()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "bars.parquet");
        var checksum = await ParquetBarFile.WriteAsync(path, StorageTestData.Minutes(StorageTestData.Utc(2024, 1, 2, 15), 10));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);

        await Assert.ThrowsAsync<InvalidDataException>(() => ParquetBarFile.ReadAsync(path, checksum));
        await File.WriteAllTextAsync(path, "not parquet");
        await Assert.ThrowsAsync<InvalidDataException>(() => ParquetBarFile.ReadAsync(path));
    }
}
