using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using AiTrader.Core.IO;
using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Signals;

/// <summary>Writes <see cref="SignalFrame"/>s as CSV: invariant culture, UTC ISO timestamps, empty cells during warm-up.</summary>
public static class SignalFrameCsvWriter
{
    /// <summary>The header; the first twenty columns are a fixed contract (docs/reference/signals.md), extras follow.</summary>
    public const string Header =
        "timestamp,close,filtered_price,velocity,price_variance,prob_up,regime,open,high,low,volume," +
        "sma_20,ema_20,atr_14,rsi_14,donchian_high_20,donchian_low_20,zscore_20,bb_upper_20,bb_lower_20," +
        "vol_20,vwap,gap_pct,rvol,velocity_std,kalman_warmup";

    /// <summary>The explanation column, written only when asked for (<c>aitrader signals --debug</c>): a sentence per row
    /// is about a tenth of the file and of the time it takes to write.</summary>
    public const string ReasonColumn = "regime_reason";

    /// <summary>The header with or without <see cref="ReasonColumn"/>.</summary>
    public static string HeaderFor(bool explain) => explain ? Header + "," + ReasonColumn : Header;

    /// <summary>Writes the header and one line per frame; <paramref name="explain"/> adds the regime_reason column.</summary>
    public static void Write(TextWriter writer, IEnumerable<SignalFrame> frames, bool explain = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(frames);
        writer.Write(HeaderFor(explain));
        writer.Write('\n');
        var line = new StringBuilder(256);
        foreach (var frame in frames)
        {
            line.Clear();
            AppendLine(line, frame, explain);
            writer.Write(line);
        }
    }

    /// <summary>Writes the frames to <paramref name="path"/> atomically (temp file, then rename), UTF-8 without BOM.</summary>
    public static void WriteFile(string path, IEnumerable<SignalFrame> frames, bool explain = false)
    {
        ArgumentNullException.ThrowIfNull(frames);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true);
            Write(writer, frames, explain);
        });
    }

    /// <summary>Writes frames to a stream one at a time as they are computed (UTF-8, no BOM): the header first, then
    /// each line formatted straight into a reused UTF-8 buffer, so memory stays flat however many frames pass. The
    /// text is exactly <see cref="Write"/>'s.</summary>
    /// <remarks>Numbers go through <see cref="Utf8CsvWriter"/> (doubles through <see cref="ShortestDouble"/>), and a
    /// pipeline frame's regime reason is written from the classifier's inputs by <see cref="RegimeReasonWriter"/>, so
    /// no string is made per row. A frame whose label was replaced is written through its <see cref="RegimeLabel.Reason"/>.</remarks>
    public sealed class Streaming : IDisposable
    {
        private static readonly byte[][] RegimeNames =
            Enum.GetValues<MarketRegime>().Select(r => Encoding.UTF8.GetBytes(r.ToString())).ToArray();

        private readonly Utf8CsvWriter _csv;
        private readonly bool _explain;

        /// <param name="explain">Add the regime_reason column.</param>
        public Streaming(Stream stream, bool explain = false)
            : this(stream, explain, header: true)
        {
        }

        private Streaming(Stream stream, bool explain, bool header)
        {
            _csv = new Utf8CsvWriter(stream);
            _explain = explain;
            if (header)
            {
                _csv.Text(HeaderFor(explain)).NewLine();
            }
        }

        /// <summary>Rows only, no header: a formatter of <see cref="WriteStream"/> that formats its share of the rows.</summary>
        internal static Streaming RowsOnly(Stream stream, bool explain) => new(stream, explain, header: false);

        /// <summary>Writes what is buffered to the stream.</summary>
        public void Flush() => _csv.Flush();

        public void Write(SignalFrame frame)
        {
            ArgumentNullException.ThrowIfNull(frame);
            var c = _csv;
            if (frame.Timestamp.Kind == DateTimeKind.Utc)
            {
                c.Timestamp(frame.Timestamp);
            }
            else
            {
                c.Text(frame.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            }

            c.Comma().Decimal(frame.Close).Comma();
            Number(frame.FilteredPrice).Comma();
            Number(frame.Velocity).Comma();
            Number(frame.PriceVariance).Comma();
            Number(frame.ProbabilityUp).Comma();
            if ((uint)frame.Regime < (uint)RegimeNames.Length)
            {
                c.Raw(RegimeNames[(int)frame.Regime]);
            }
            else
            {
                c.Text(frame.Regime.ToString());
            }

            c.Comma().Decimal(frame.Open).Comma().Decimal(frame.High).Comma().Decimal(frame.Low).Comma().Decimal(frame.Volume).Comma();
            Number(frame.Sma).Comma();
            Number(frame.Ema).Comma();
            Number(frame.Atr).Comma();
            Number(frame.Rsi).Comma();
            Number(frame.DonchianHigh).Comma();
            Number(frame.DonchianLow).Comma();
            Number(frame.ZScore).Comma();
            Number(frame.BollingerUpper).Comma();
            Number(frame.BollingerLower).Comma();
            Number(frame.Volatility).Comma();
            Number(frame.Vwap).Comma();
            Number(frame.GapPercent).Comma();
            Number(frame.RelativeVolume).Comma();
            Number(frame.VelocityStdDev).Comma();
            if (!_explain)
            {
                c.Raw(frame.IsWarmup ? "true"u8 : "false"u8).NewLine();
                return;
            }

            c.Raw(frame.IsWarmup ? "true,"u8 : "false,"u8);
            if (frame.TryGetRegimeInputs(out var inputs))
            {
                // The classifier's wording never holds a comma, a quote or a line break, so it needs no quoting.
                RegimeReasonWriter.Write(inputs, c);
            }
            else
            {
                var quoted = new StringBuilder();
                Text(quoted, frame.RegimeLabel.Reason);
                c.Text(quoted.ToString());
            }

            c.NewLine();
        }

        private Utf8CsvWriter Number(double? value) =>
            value is { } v && double.IsFinite(v) ? _csv.RoundTrip(v) : _csv;

        public void Dispose() => _csv.Dispose();
    }

    /// <summary>Frames per batch handed to a formatter by <see cref="WriteStream"/>: about 90 KB of text.</summary>
    internal const int BatchSize = 256;

    /// <summary>Writes the header and one line per frame to <paramref name="output"/>, byte for byte what
    /// <see cref="Streaming"/> writes, with the frames computed on this thread (the enumeration runs here) while
    /// <paramref name="formatters"/> other threads format batches of them and write each batch in its turn.</summary>
    /// <remarks>Formatting a row (twenty shortest round-trip doubles) costs more than computing it, so one writer thread
    /// beside the pipeline left the pipeline waiting; with a formatter per core, the formatting runs on every core,
    /// including the pipeline's once the frames are done. Memory stays bounded: at most a few batches are queued, and
    /// each formatter keeps one batch's text until its turn to write.</remarks>
    public static void WriteStream(Stream output, IEnumerable<SignalFrame> frames, bool explain = false, int? formatters = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(frames);
        var count = formatters ?? Environment.ProcessorCount;
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, nameof(formatters));
        new Streaming(output, explain).Dispose(); // the header, written out as the writer is disposed

        using var batches = new BlockingCollection<(long Sequence, SignalFrame[] Frames)>(boundedCapacity: count + 1);
        using var failed = new CancellationTokenSource();
        var turn = new WriteTurn();
        var workers = Enumerable.Range(0, count).Select(_ => Task.Run(() => Format(batches, output, explain, turn, failed))).ToArray();
        try
        {
            var sequence = 0L;
            var batch = new List<SignalFrame>(BatchSize);
            foreach (var frame in frames)
            {
                batch.Add(frame);
                if (batch.Count == BatchSize)
                {
                    batches.Add((sequence++, [.. batch]), failed.Token);
                    batch.Clear();
                }
            }

            if (batch.Count > 0)
            {
                batches.Add((sequence, [.. batch]), failed.Token);
            }
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested)
        {
            // A formatter failed; its exception is the one to report (below).
        }
        finally
        {
            batches.CompleteAdding();
            try
            {
                Task.WaitAll(workers);
            }
            catch (AggregateException e)
            {
                var first = e.InnerExceptions.FirstOrDefault(x => x is not OperationCanceledException) ?? e.InnerExceptions[0];
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            }
        }
    }

    private static void Format(BlockingCollection<(long Sequence, SignalFrame[] Frames)> batches, Stream output, bool explain,
        WriteTurn turn, CancellationTokenSource failed)
    {
        try
        {
            using var text = new MemoryStream(128 * BatchSize);
            using var rows = Streaming.RowsOnly(text, explain);
            foreach (var (sequence, frames) in batches.GetConsumingEnumerable(failed.Token))
            {
                text.SetLength(0);
                foreach (var frame in frames)
                {
                    rows.Write(frame);
                }

                rows.Flush();
                turn.WaitFor(sequence, failed.Token);
                try
                {
                    output.Write(text.GetBuffer(), 0, (int)text.Length);
                }
                finally
                {
                    turn.Next();
                }
            }
        }
        catch
        {
            failed.Cancel(); // unblock the pipeline and the other formatters, which then stop
            throw;
        }
    }

    /// <summary>Whose turn it is to write: batches reach the stream in sequence order whichever formatter is first done.</summary>
    private sealed class WriteTurn
    {
        private readonly object _lock = new(); // a monitor (Wait/PulseAll), which System.Threading.Lock does not offer
        private long _next;

        public void WaitFor(long sequence, CancellationToken ct)
        {
            using var wake = ct.Register(() =>
            {
                lock (_lock)
                {
                    Monitor.PulseAll(_lock);
                }
            });
            lock (_lock)
            {
                while (_next != sequence)
                {
                    ct.ThrowIfCancellationRequested();
                    Monitor.Wait(_lock);
                }
            }
        }

        public void Next()
        {
            lock (_lock)
            {
                _next++;
                Monitor.PulseAll(_lock);
            }
        }
    }

    /// <summary>Formats one frame as a CSV line (with the trailing newline) in the order of <see cref="HeaderFor"/>.</summary>
    public static string FormatLine(SignalFrame frame, bool explain = false)
    {
        var line = new StringBuilder(256);
        AppendLine(line, frame, explain);
        return line.ToString();
    }

    private static void AppendLine(StringBuilder b, SignalFrame f, bool explain)
    {
        ArgumentNullException.ThrowIfNull(f);
        var inv = CultureInfo.InvariantCulture;
        // Interpolated appends format into the builder: the same text as ToString(invariant), without a string each.
        b.Append(inv, $"{f.Timestamp:yyyy-MM-dd'T'HH:mm:ss'Z'}").Append(',');
        b.Append(inv, $"{f.Close}").Append(',');
        Number(b, f.FilteredPrice).Append(',');
        Number(b, f.Velocity).Append(',');
        Number(b, f.PriceVariance).Append(',');
        Number(b, f.ProbabilityUp).Append(',');
        b.Append(f.Regime.ToString()).Append(',');
        b.Append(inv, $"{f.Open}").Append(',');
        b.Append(inv, $"{f.High}").Append(',');
        b.Append(inv, $"{f.Low}").Append(',');
        b.Append(inv, $"{f.Volume}").Append(',');
        Number(b, f.Sma).Append(',');
        Number(b, f.Ema).Append(',');
        Number(b, f.Atr).Append(',');
        Number(b, f.Rsi).Append(',');
        Number(b, f.DonchianHigh).Append(',');
        Number(b, f.DonchianLow).Append(',');
        Number(b, f.ZScore).Append(',');
        Number(b, f.BollingerUpper).Append(',');
        Number(b, f.BollingerLower).Append(',');
        Number(b, f.Volatility).Append(',');
        Number(b, f.Vwap).Append(',');
        Number(b, f.GapPercent).Append(',');
        Number(b, f.RelativeVolume).Append(',');
        Number(b, f.VelocityStdDev).Append(',');
        b.Append(f.IsWarmup ? "true" : "false");
        if (explain)
        {
            Text(b.Append(','), f.RegimeLabel.Reason);
        }

        b.Append('\n');
    }

    // Shortest round-trip formatting (the .NET default), so a reader parses back the exact double.
    private static StringBuilder Number(StringBuilder b, double? value) =>
        value is { } v && double.IsFinite(v) ? b.Append(CultureInfo.InvariantCulture, $"{v}") : b;

    // RFC 4180: quote when the text holds a separator, a quote or a line break; double the quotes inside.
    private static void Text(StringBuilder b, string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            b.Append(value);
            return;
        }

        b.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
