using AiTrader.Core.IO;
using AiTrader.Core.Signals;
using Parquet;
using Parquet.Schema;

namespace AiTrader.Storage.Signals;

/// <summary>Writes <see cref="SignalFrame"/>s as Parquet with the CSV's column names: doubles, nullable during warm-up.</summary>
/// <remarks>Prices and volume are stored as double (not the exact decimals of <see cref="ParquetBarFile"/>): this file
/// is for analysis in pandas/Polars/DuckDB, next to double-valued signals; bars of record live in the bar cache.</remarks>
public static class ParquetSignalFile
{
    /// <summary>Bump when the column layout changes; readers reject files of another version.</summary>
    public const string FormatVersion = "1";

    private const string FormatVersionKey = "aitrader.signals.version";

    private static readonly DateTimeDataField TimestampField =
        new("timestamp", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false);

    private static readonly DataField<double> CloseField = new("close", false);
    private static readonly DataField<double> FilteredPriceField = new("filtered_price", false);
    private static readonly DataField<double> VelocityField = new("velocity", false);
    private static readonly DataField<double> PriceVarianceField = new("price_variance", false);
    private static readonly DataField<double> ProbUpField = new("prob_up", false);
    private static readonly DataField<string> RegimeField = new("regime", false);
    private static readonly DataField<double> OpenField = new("open", false);
    private static readonly DataField<double> HighField = new("high", false);
    private static readonly DataField<double> LowField = new("low", false);
    private static readonly DataField<double> VolumeField = new("volume", false);

    private static readonly (DataField<double?> Field, Func<SignalFrame, double?> Get)[] Indicators =
    [
        (new("sma_20", true), f => f.Sma),
        (new("ema_20", true), f => f.Ema),
        (new("atr_14", true), f => f.Atr),
        (new("rsi_14", true), f => f.Rsi),
        (new("donchian_high_20", true), f => f.DonchianHigh),
        (new("donchian_low_20", true), f => f.DonchianLow),
        (new("zscore_20", true), f => f.ZScore),
        (new("bb_upper_20", true), f => f.BollingerUpper),
        (new("bb_lower_20", true), f => f.BollingerLower),
        (new("vol_20", true), f => f.Volatility),
        (new("vwap", true), f => f.Vwap),
        (new("gap_pct", true), f => f.GapPercent),
        (new("rvol", true), f => f.RelativeVolume),
    ];

    private static readonly DataField<double> VelocityStdField = new("velocity_std", false);
    private static readonly DataField<bool> WarmupField = new("kalman_warmup", false);
    private static readonly DataField<string> ReasonField = new("regime_reason", false);

    private static readonly Field[] Fields =
        new Field[] { TimestampField, CloseField, FilteredPriceField, VelocityField, PriceVarianceField, ProbUpField, RegimeField, OpenField, HighField, LowField, VolumeField }
            .Concat(Indicators.Select(i => (Field)i.Field))
            .Concat([VelocityStdField, WarmupField])
            .ToArray();

    // regime_reason only when asked for (aitrader signals --debug), as in the CSV.
    private static readonly ParquetSchema Schema = new(Fields);
    private static readonly ParquetSchema ExplainedSchema = new([.. Fields, ReasonField]);

    /// <summary>Rows per row group: a file of two million minute bars is written as it is computed, a row group at a
    /// time, instead of holding every frame (readers see the same rows).</summary>
    public const int RowGroupRows = 100_000;

    /// <summary>Encodes frames (in the given order) as Parquet bytes, in row groups of <see cref="RowGroupRows"/>.</summary>
    public static async Task<byte[]> SerializeAsync(IReadOnlyList<SignalFrame> frames, CancellationToken cancellationToken = default,
        bool explain = false)
    {
        ArgumentNullException.ThrowIfNull(frames);
        using var buffer = new MemoryStream();
        await WriteToAsync(buffer, frames, explain, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>Writes frames to <paramref name="path"/> atomically (temp file, then rename).</summary>
    public static Task WriteAsync(string path, IReadOnlyList<SignalFrame> frames, CancellationToken cancellationToken = default,
        bool explain = false) =>
        WriteAsync(path, (IEnumerable<SignalFrame>)frames, cancellationToken, explain);

    /// <summary>Writes frames to <paramref name="path"/> atomically as they are enumerated, buffering one row group of
    /// <see cref="RowGroupRows"/> frames at a time; <paramref name="explain"/> adds the regime_reason column.</summary>
    public static Task WriteAsync(string path, IEnumerable<SignalFrame> frames, CancellationToken cancellationToken = default,
        bool explain = false)
    {
        ArgumentNullException.ThrowIfNull(frames);
        return AtomicFile.WriteAsync(path, (stream, ct) => WriteToAsync(stream, frames, explain, ct), cancellationToken);
    }

    private static async Task WriteToAsync(Stream stream, IEnumerable<SignalFrame> frames, bool explain, CancellationToken cancellationToken)
    {
        var known = frames is IReadOnlyCollection<SignalFrame> collection ? collection.Count : RowGroupRows;
        var options = new ParquetOptions { RowGroupSize = Math.Max(Math.Min(known, RowGroupRows), 1) };
        await using var writer = await ParquetWriter.CreateAsync(explain ? ExplainedSchema : Schema, stream, options,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        writer.CustomMetadata = new Dictionary<string, string> { [FormatVersionKey] = FormatVersion };
        var group = new List<SignalFrame>(Math.Max(Math.Min(known, RowGroupRows), 1));
        var written = 0;
        foreach (var frame in frames)
        {
            group.Add(frame);
            if (group.Count == RowGroupRows)
            {
                await WriteRowGroupAsync(writer, group, written, explain, cancellationToken).ConfigureAwait(false);
                written += group.Count;
                group.Clear();
            }
        }

        if (group.Count > 0 || written == 0)
        {
            await WriteRowGroupAsync(writer, group, written, explain, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteRowGroupAsync(ParquetWriter writer, IReadOnlyList<SignalFrame> frames, int firstIndex, bool explain,
        CancellationToken cancellationToken)
    {
        var n = frames.Count;
        var timestamps = new DateTime[n];
        for (var i = 0; i < n; i++)
        {
            var ts = frames[i].Timestamp;
            if (ts.Kind != DateTimeKind.Utc || ts.Ticks % TimeSpan.TicksPerMicrosecond != 0)
            {
                throw new ArgumentException($"Frame {firstIndex + i} timestamp {ts:O} must be UTC and a whole number of microseconds.", "frames");
            }

            timestamps[i] = ts;
        }

        using var rowGroup = writer.CreateRowGroup();
        await rowGroup.WriteAsync<DateTime>(TimestampField, timestamps, cancellationToken: cancellationToken).ConfigureAwait(false);
        await WriteDoubles(rowGroup, CloseField, frames, f => (double)f.Close, cancellationToken).ConfigureAwait(false);
        await WriteDoubles(rowGroup, FilteredPriceField, frames, f => f.FilteredPrice, cancellationToken).ConfigureAwait(false);
        await WriteDoubles(rowGroup, VelocityField, frames, f => f.Velocity, cancellationToken).ConfigureAwait(false);
        await WriteDoubles(rowGroup, PriceVarianceField, frames, f => f.PriceVariance, cancellationToken).ConfigureAwait(false);
        await WriteDoubles(rowGroup, ProbUpField, frames, f => f.ProbabilityUp, cancellationToken).ConfigureAwait(false);
        await rowGroup.WriteAsync(RegimeField, frames.Select(f => f.Regime.ToString()).ToArray()).ConfigureAwait(false);
        await WriteDoubles(rowGroup, OpenField, frames, f => (double)f.Open, cancellationToken).ConfigureAwait(false);
        await WriteDoubles(rowGroup, HighField, frames, f => (double)f.High, cancellationToken).ConfigureAwait(false);
        await WriteDoubles(rowGroup, LowField, frames, f => (double)f.Low, cancellationToken).ConfigureAwait(false);
        await WriteDoubles(rowGroup, VolumeField, frames, f => (double)f.Volume, cancellationToken).ConfigureAwait(false);
        foreach (var (field, get) in Indicators)
        {
            // NaN never reaches the file: a missing value is null, as in the CSV's empty cell.
            var values = frames.Select(f => get(f) is { } v && double.IsFinite(v) ? v : (double?)null).ToArray();
            await rowGroup.WriteAsync<double>(field, values, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await WriteDoubles(rowGroup, VelocityStdField, frames, f => f.VelocityStdDev, cancellationToken).ConfigureAwait(false);
        await rowGroup.WriteAsync<bool>(WarmupField, frames.Select(f => f.IsWarmup).ToArray(), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (explain)
        {
            await rowGroup.WriteAsync(ReasonField, frames.Select(f => f.RegimeLabel.Reason).ToArray()).ConfigureAwait(false);
        }
    }

    /// <summary>Reads a file written by <see cref="WriteAsync"/>. Throws <see cref="InvalidDataException"/> when it is not
    /// a signals file of this format version.</summary>
    public static async Task<IReadOnlyList<SignalRow>> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var stream = File.OpenRead(path);
            await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!reader.CustomMetadata.TryGetValue(FormatVersionKey, out var version) || version != FormatVersion)
            {
                throw new InvalidDataException($"Not an AI Trader signals file of format version {FormatVersion}.");
            }

            var explained = reader.Schema.DataFields.Any(f => f.Name == ReasonField.Name);
            var rows = new List<SignalRow>();
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var rowGroup = reader.OpenRowGroupReader(g);
                var n = checked((int)rowGroup.RowCount);
                var timestamps = new DateTime[n];
                await rowGroup.ReadAsync<DateTime>(TimestampField, timestamps, cancellationToken: cancellationToken).ConfigureAwait(false);
                var close = await ReadDoubles(rowGroup, CloseField, n, cancellationToken).ConfigureAwait(false);
                var filtered = await ReadDoubles(rowGroup, FilteredPriceField, n, cancellationToken).ConfigureAwait(false);
                var velocity = await ReadDoubles(rowGroup, VelocityField, n, cancellationToken).ConfigureAwait(false);
                var variance = await ReadDoubles(rowGroup, PriceVarianceField, n, cancellationToken).ConfigureAwait(false);
                var probUp = await ReadDoubles(rowGroup, ProbUpField, n, cancellationToken).ConfigureAwait(false);
                var regime = new string[n];
                await rowGroup.ReadAsync(RegimeField, regime, cancellationToken: cancellationToken).ConfigureAwait(false);
                var open = await ReadDoubles(rowGroup, OpenField, n, cancellationToken).ConfigureAwait(false);
                var high = await ReadDoubles(rowGroup, HighField, n, cancellationToken).ConfigureAwait(false);
                var low = await ReadDoubles(rowGroup, LowField, n, cancellationToken).ConfigureAwait(false);
                var volume = await ReadDoubles(rowGroup, VolumeField, n, cancellationToken).ConfigureAwait(false);
                var indicators = new double?[Indicators.Length][];
                for (var k = 0; k < Indicators.Length; k++)
                {
                    indicators[k] = new double?[n];
                    await rowGroup.ReadAsync<double>(Indicators[k].Field, indicators[k], cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                var velocityStd = await ReadDoubles(rowGroup, VelocityStdField, n, cancellationToken).ConfigureAwait(false);
                var warmup = new bool[n];
                await rowGroup.ReadAsync<bool>(WarmupField, warmup, cancellationToken: cancellationToken).ConfigureAwait(false);
                var reason = new string?[n];
                if (explained)
                {
                    await rowGroup.ReadAsync(ReasonField, reason, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                for (var i = 0; i < n; i++)
                {
                    var ts = timestamps[i].Kind == DateTimeKind.Utc ? timestamps[i]
                        : timestamps[i].Kind == DateTimeKind.Local ? timestamps[i].ToUniversalTime()
                        : DateTime.SpecifyKind(timestamps[i], DateTimeKind.Utc);
                    rows.Add(new SignalRow(ts, close[i], filtered[i], velocity[i], variance[i], probUp[i], regime[i],
                        open[i], high[i], low[i], volume[i],
                        indicators[0][i], indicators[1][i], indicators[2][i], indicators[3][i], indicators[4][i],
                        indicators[5][i], indicators[6][i], indicators[7][i], indicators[8][i], indicators[9][i],
                        indicators[10][i], indicators[11][i], indicators[12][i], velocityStd[i], warmup[i], reason[i]));
                }
            }

            return rows;
        }
        catch (Exception ex) when (ex is not InvalidDataException and not OperationCanceledException and not FileNotFoundException)
        {
            throw new InvalidDataException($"Not a readable Parquet signals file: {ex.Message}", ex);
        }
    }

    private static Task WriteDoubles(ParquetRowGroupWriter rowGroup, DataField<double> field, IReadOnlyList<SignalFrame> frames,
        Func<SignalFrame, double> get, CancellationToken cancellationToken)
    {
        var values = new double[frames.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = get(frames[i]);
        }

        return rowGroup.WriteAsync<double>(field, values, cancellationToken: cancellationToken);
    }

    private static async Task<double[]> ReadDoubles(ParquetRowGroupReader rowGroup, DataField<double> field, int n, CancellationToken cancellationToken)
    {
        var values = new double[n];
        await rowGroup.ReadAsync<double>(field, values, cancellationToken: cancellationToken).ConfigureAwait(false);
        return values;
    }
}
