using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;
using AiTrader.Core.Watchlists;
using AiTrader.MarketData;
using AiTrader.MarketData.Dal;
using AiTrader.MarketData.Vendors;
using AiTrader.MarketData.Watchlists;
using Symbol = AiTrader.Core.Domain.Symbol;

namespace AiTrader.Application.Scans;

/// <summary>What a premarket scan reads, whoever asks (the CLI's <c>scan</c> and <c>watchlist build</c>, the service):
/// the bundled sample, the universe (bundled symbols, a vendor listing or a file), a replayed day's 09:25 scan, and a
/// live scan of today through the DAL and Alpaca snapshots.</summary>
public static class ScanSources
{
    /// <summary>The most symbols a universe may hold.</summary>
    public const int MaxUniverse = 20_000;

    /// <summary>The bundled sample bars.</summary>
    public static CsvBarSource Sample(AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(settings.SampleDataDir ?? SampleData.LocateRoot(), NyseCalendar.Instance);
    }

    /// <summary>The premarket scan of <paramref name="date"/> replayed on the bundled minute bars at its last window (09:25 ET),
    /// each window seeing only bars closed by then.</summary>
    public static async Task<ScanRefresh> ReplayAsync(CsvBarSource sample, DateOnly date, int top, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var session = NyseCalendar.Instance.GetSession(date)
            ?? throw new RequestException($"{date:yyyy-MM-dd} ({date.DayOfWeek}) is not a trading day; pick a session date such as 2013-10-08.", "date");
        var window = ScanSchedule.Premarket.WindowsUtc(date, NyseCalendar.Instance)[^1];
        var clock = new SimulatedClock(session.PremarketOpenUtc);
        var scanner = new PremarketScanner(sample, NyseCalendar.Instance, new ScanOptions(Top: top), clock: clock, splits: sample.SplitsFor);
        return await scanner.ScanAsync(date, window, sample.AvailableSymbols(Timeframe.OneMinute), "replay", ct).ConfigureAwait(false);
    }

    /// <summary>The scan universe: the bundled symbols, a vendor listing or a file of tickers.</summary>
    public static async Task<IReadOnlyList<Symbol>> UniverseAsync(string? spec, Func<string, string?> env, CsvBarSource? sample, bool replayMode, string field, CancellationToken ct)
    {
        var value = spec?.Trim();
        if (string.IsNullOrEmpty(value) && !replayMode && HasListingKey(env))
        {
            // Live with a listing key the market is the universe; without one, the bundled symbols.
            value = "listing";
        }

        if (string.IsNullOrEmpty(value) || value.Equals("sample", StringComparison.OrdinalIgnoreCase))
        {
            var source = sample ?? CsvBarSource.OpenSample(NyseCalendar.Instance);
            return source.AvailableSymbols(Timeframe.OneMinute);
        }

        if (value.Equals("listing", StringComparison.OrdinalIgnoreCase))
        {
            if (replayMode)
            {
                throw new RequestException($"{field} listing is for live scans: a replay has bars only for the bundled symbols; use --universe sample or a file.");
            }

            var sources = WatchlistSources.FromEnvironment(env, []);
            var validator = sources.Validator(env)
                ?? throw new RequestException($"{field} listing needs ALPHAVANTAGE_API_KEY, FINNHUB_API_KEY or TWELVEDATA_API_KEY; or pass a file of tickers.");
            try
            {
                var answer = await validator.FetchAsync(ct);
                return answer.Symbols.Select(s => Symbol.TryParse(s.Text, out var sym, out _) ? sym : (Symbol?)null)
                    .OfType<Symbol>().Distinct().Take(MaxUniverse).ToList();
            }
            catch (WatchlistSourceException ex)
            {
                throw new RequestException($"{field} listing: {ex.Message}");
            }
        }

        if (!File.Exists(value))
        {
            throw new RequestException($"{field} '{value}' is neither sample, listing nor an existing file (one ticker per line, '#' comments).");
        }

        var symbols = new List<Symbol>();
        var seen = new HashSet<Symbol>();
        var lineNo = 0;
        foreach (var raw in File.ReadLines(value))
        {
            lineNo++;
            var line = raw.Split('#')[0].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (!Symbol.TryParse(line, out var symbol, out var error))
            {
                throw new RequestException($"{field} {value} line {lineNo}: {error}");
            }

            if (seen.Add(symbol))
            {
                symbols.Add(symbol);
            }

            if (symbols.Count > MaxUniverse)
            {
                throw new RequestException($"{field} {value} has more than {MaxUniverse} symbols; split it.");
            }
        }

        return symbols.Count > 0 ? symbols : throw new RequestException($"{field} {value} has no tickers (one per line, '#' comments).");
    }

    private static bool HasListingKey(Func<string, string?> env) =>
        new[] { "ALPHAVANTAGE_API_KEY", "FINNHUB_API_KEY", "TWELVEDATA_API_KEY" }.Any(v => !string.IsNullOrWhiteSpace(env(v)));

    /// <summary>One live scan of today at the latest minute boundary (every bar before it has closed), through the DAL
    /// and Alpaca snapshots; null when the Alpaca keys are not set.</summary>
    public static Func<CancellationToken, Task<ScanRefresh>>? LiveScan(Func<string, string?> env, ScanOptions options)
    {
        if (LiveVendors(env) is not { } alpaca)
        {
            return null;
        }

        return async ct =>
        {
            var now = DateTime.UtcNow;
            // The New York date of now is that of the minute boundary before it (midnight is on a minute).
            var today = ExchangeTime.SessionDate(now);
            var session = NyseCalendar.Instance.GetSession(today)
                ?? throw new RequestException($"today ({today:yyyy-MM-dd}, {today.DayOfWeek}) is not a trading day; replay a past one (a date).");
            var window = ScanSchedule.LiveWindow(session, now)
                ?? throw new RequestException($"a live scan runs from 04:00 ET to the close; it is {ExchangeTime.ToNewYork(now):HH:mm} ET. Replay a past day (a date) instead.");
            await using var feed = new LiveFeed(alpaca);
            var symbols = await UniverseAsync(null, env, null, replayMode: false, "universe", ct);
            return await feed.Scanner(options).ScanAsync(today, window, symbols, "live", ct);
        };
    }

    /// <summary>The vendor settings from <paramref name="env"/> when both Alpaca keys are set (a live scan reads Alpaca
    /// snapshots and bars); null otherwise.</summary>
    public static VendorSettings? LiveVendors(Func<string, string?> env)
    {
        var vendors = VendorSettings.FromEnvironment(env);
        return string.IsNullOrEmpty(vendors.AlpacaOptions.ApiKey) || string.IsNullOrEmpty(vendors.AlpacaOptions.ApiSecret) ? null : vendors;
    }

    /// <summary>What a live scan reads: bars through the DAL from Alpaca, and Alpaca snapshots; disposing it closes both.</summary>
    /// <param name="vendors">The Alpaca settings (keys, base URL).</param>
    /// <param name="environment">Variable lookup for the DAL (chain, cache); the platform's by default.</param>
    /// <param name="clock">The scan's clock (what "today" and a snapshot's age are measured by); the system clock by default.</param>
    public sealed class LiveFeed(VendorSettings vendors, Func<string, string?>? environment = null, TimeProvider? clock = null) : IAsyncDisposable
    {
        private readonly MarketDataDal _dal = MarketDataDal.FromEnvironment(environment ?? PlatformEnvironment.Lookup);
        private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };

        public PremarketScanner Scanner(ScanOptions options) =>
            new(new DalBarSource(_dal, VendorSettings.Alpaca), NyseCalendar.Instance, options,
                new AlpacaSnapshotSource(new AlpacaClient(_http, vendors.AlpacaOptions), clock), clock);

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _dal.DisposeAsync().ConfigureAwait(false);
        }
    }
}
