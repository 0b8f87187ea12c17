using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.MarketData;
using AiTrader.MarketData.Streaming;
using AiTrader.MarketData.Vendors;
using Symbol = AiTrader.Core.Domain.Symbol;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader stream</c>: live Alpaca minute bars (with gap backfill) or a replay of bundled bars, as CSV lines.</summary>
public static partial class StreamCommand
{
    public const string Header = "symbol,timestamp,open,high,low,close,volume,source";

    public static Command Create(AppSettings settings, TextWriter stdout, TextWriter stderr)
    {
        var symbols = new Option<string>("--symbols") { Description = "Comma-separated tickers, e.g. AAPL,MSFT.", Required = true };
        var vendor = new Option<string?>("--vendor") { Description = "alpaca (live WebSocket; needs APCA keys) or replay (bundled minute bars). [default: alpaca when APCA keys are set, else replay]" };
        var maxBars = new Option<int?>("--max-bars") { Description = "Stop after this many bars in total." };
        var duration = new Option<string?>("--duration") { Description = "Stop after this long, e.g. 30s, 10m, 1h." };
        var start = new Option<string?>("--start") { Description = "replay: first session date (YYYY-MM-DD, New York). [default: the last day with minute data]" };
        var end = new Option<string?>("--end") { Description = "replay: last session date, inclusive. [default: --start]" };
        var speed = new Option<string>("--speed") { Description = "replay: max (no waits) or market minutes per real minute, e.g. 60 = one market minute per second.", DefaultValueFactory = _ => "max" };

        var command = new Command("stream", "Stream minute bars as CSV (symbol,timestamp,open,high,low,close,volume,source) until a limit or Ctrl+C.")
        {
            symbols, vendor, maxBars, duration, start, end, speed,
        };

        command.SetAction(async (parse, ct) =>
        {
            var list = ParseSymbols(parse.GetValue(symbols)!);
            var limit = parse.GetValue(maxBars);
            if (limit is <= 0)
            {
                throw new CliException($"--max-bars must be greater than 0 (got {limit}).");
            }

            var runFor = parse.GetValue(duration) is { } d ? ParseDuration(d) : (TimeSpan?)null;
            var streamOptions = AlpacaStreamOptions.FromEnvironment();
            var source = ResolveVendor(parse.GetValue(vendor), streamOptions, stderr);

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            if (runFor is { } span)
            {
                stop.CancelAfter(span);
            }

            IAsyncEnumerable<StreamPayload> bars;
            if (source == "replay")
            {
                var bundled = new CsvBarSource(settings.SampleDataDir ?? SampleData.LocateRoot(), NyseCalendar.Instance);
                var replay = new ReplayStream(bundled, new ReplayOptions { Speed = ParseSpeed(parse.GetValue(speed)!), MaxWait = TimeSpan.FromSeconds(5) });
                var (first, last) = await ReplayDatesAsync(parse.GetValue(start), parse.GetValue(end), list[0], settings, ct);
                // A replay of days without bars would print the header and end in silence: say so instead, before any output.
                if (!await AnyMinuteBarsAsync(bundled, list, first, last, ct))
                {
                    throw new CliException($"no bundled 1Min bars for {string.Join(",", list)} between {first:yyyy-MM-dd} and {last:yyyy-MM-dd}; " +
                        "pick dates the data covers with --start/--end (aitrader fetch --vendor sample --interval 1Min shows them).");
                }

                bars = replay.StreamBarsAsync(list, first, last, stop.Token);
            }
            else
            {
                if (!streamOptions.HasKeys)
                {
                    throw new CliException("--vendor alpaca needs APCA_API_KEY_ID and APCA_API_SECRET_KEY; set them or use --vendor replay.");
                }

                bars = AlpacaBars().StreamBarsAsync(list, stop.Token);
            }

            stdout.WriteLine(Header);
            stdout.Flush();
            var count = 0;
            try
            {
                await foreach (var p in bars.WithCancellation(stop.Token))
                {
                    stdout.WriteLine(Row(p));
                    stdout.Flush();
                    if (++count >= limit)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // --duration elapsed or the caller cancelled: a normal way to end a stream. (Ctrl+C in a terminal is handled
                // by System.CommandLine, which exits 130 without waiting for this.)
                await stderr.WriteLineAsync(ct.IsCancellationRequested
                    ? $"stopped after {count} bars"
                    : $"--duration reached after {count} bars");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Live Alpaca minute bars from ALPACA_STREAM_URL, with missed minutes backfilled over ALPACA_DATA_BASE_URL.</summary>
    internal static StreamingManager AlpacaBars(Action<string>? onReconnecting = null) =>
        AiTrader.Application.Sessions.LiveBarFeed.Alpaca(Environment.GetEnvironmentVariable, onReconnecting);

    /// <summary>One CSV row: symbol,timestamp (UTC bar open, ISO-8601),open,high,low,close,volume,source.</summary>
    public static string Row(StreamPayload payload)
    {
        var b = payload.Bar ?? throw new ArgumentException("Only bar payloads have a CSV row.", nameof(payload));
        var inv = CultureInfo.InvariantCulture;
        return string.Join(',', payload.Symbol.Value, b.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", inv),
            b.Open.ToString(inv), b.High.ToString(inv), b.Low.ToString(inv), b.Close.ToString(inv), b.Volume.ToString(inv), payload.Source);
    }

    public static TimeSpan ParseDuration(string text)
    {
        var m = DurationPattern().Match(text.Trim());
        if (!m.Success)
        {
            throw new CliException($"--duration '{text}' is not a duration; use e.g. 30s, 10m or 1h.");
        }

        var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var span = m.Groups[2].Value.ToLowerInvariant() switch
        {
            "ms" => TimeSpan.FromMilliseconds(n),
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            _ => TimeSpan.FromHours(n),
        };
        return span > TimeSpan.Zero ? span : throw new CliException($"--duration must be greater than 0 (got {text}).");
    }

    private static string ResolveVendor(string? requested, AlpacaStreamOptions options, TextWriter stderr)
    {
        var v = requested?.Trim().ToLowerInvariant();
        switch (v)
        {
            case "alpaca" or "replay":
                return v;
            case null or "":
                if (options.HasKeys)
                {
                    return "alpaca";
                }

                stderr.WriteLine("note: APCA_API_KEY_ID/APCA_API_SECRET_KEY not set; replaying bundled minute bars (--vendor replay)");
                return "replay";
            default:
                throw new CliException($"--vendor: {AiTrader.MarketData.UnknownVendor.Message(requested, ["alpaca", "replay"], "streaming vendor")}.");
        }
    }

    private static double? ParseSpeed(string text)
    {
        var t = text.Trim();
        if (t.Equals("max", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 && double.IsFinite(s)
            ? s
            : throw new CliException($"--speed '{text}' is not valid; use max or a number greater than 0 (60 = one market minute per second).");
    }

    private static async Task<bool> AnyMinuteBarsAsync(CsvBarSource source, IReadOnlyList<Symbol> symbols, DateOnly first, DateOnly last,
        CancellationToken ct)
    {
        foreach (var symbol in symbols)
        {
            var series = await source.GetBarsAsync(new BarRequest(symbol, Timeframe.OneMinute, ExchangeTime.StartOfDateUtc(first), ExchangeTime.EndOfDateUtc(last)), ct);
            if (series.Bars.Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<(DateOnly First, DateOnly Last)> ReplayDatesAsync(string? start, string? end, Symbol symbol,
        AppSettings settings, CancellationToken ct)
    {
        var first = CliParsing.ParseOptionalDate(start, "--start");
        var last = CliParsing.ParseOptionalDate(end, "--end");
        if (first is null)
        {
            // Default to the most recent session the bundled minute data has for the first symbol.
            var source = new CsvBarSource(settings.SampleDataDir ?? SampleData.LocateRoot(), NyseCalendar.Instance);
            var series = await source.GetBarsAsync(new BarRequest(symbol, Timeframe.OneMinute), ct);
            if (series.Bars.Count == 0)
            {
                throw new CliException($"no minute bars for {symbol} in the bundled data; pass --start and --end.");
            }

            first = ExchangeTime.SessionDate(series.Bars[^1].Timestamp);
        }

        last ??= first;
        if (last < first)
        {
            throw new CliException($"--start {first:yyyy-MM-dd} is after --end {last:yyyy-MM-dd}; swap them.");
        }

        return (first.Value, last.Value);
    }

    private static List<Symbol> ParseSymbols(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            throw new CliException("--symbols is empty; e.g. --symbols AAPL,MSFT.");
        }

        var list = new List<Symbol>();
        foreach (var p in parts)
        {
            try
            {
                var s = new Symbol(p);
                if (!list.Contains(s))
                {
                    list.Add(s);
                }
            }
            catch (ArgumentException ex)
            {
                throw new CliException($"--symbols: {ex.Reason()}");
            }
        }

        return list;
    }

    [GeneratedRegex(@"^(\d+(?:\.\d+)?)(ms|s|m|h)$", RegexOptions.IgnoreCase)]
    private static partial Regex DurationPattern();
}
