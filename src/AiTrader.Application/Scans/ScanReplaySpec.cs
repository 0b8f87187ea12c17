using System.Text.Json;
using System.Text.Json.Serialization;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;
using AiTrader.Core.Watchlists;

namespace AiTrader.Application.Scans;

/// <summary>A premarket scan replayed over the bundled minute bars of one session date, as a JSON document (the body of
/// <c>POST /api/scans</c>): every refresh window from 04:00 to 09:25 ET sees only bars closed by then, each refresh
/// is stored and its top N published as the scan watchlist, exactly as <c>aitrader scan --premarket --date D --replay</c>.</summary>
public sealed record ScanReplaySpec
{
    [JsonPropertyName("date")]
    public string? Date { get; init; }

    /// <summary>The universe; every symbol with bundled minute bars when null.</summary>
    [JsonPropertyName("symbols")]
    public IReadOnlyList<string>? Symbols { get; init; }

    [JsonPropertyName("top")]
    public int Top { get; init; } = 10;

    public static ScanReplaySpec FromJson(string json) => JsonSpec.Parse<ScanReplaySpec>(json, "scan spec", "{\"date\": \"2013-10-08\"}");

    public string ToJson() => JsonSerializer.Serialize(this, JsonSpec.Options);

    /// <summary>The checked session, universe and options; a bad field throws <see cref="RequestException"/> naming it.</summary>
    public (TradingSession Session, IReadOnlyList<Symbol> Universe, ScanOptions Options) Check(CsvBarSource bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var date = RequestChecks.Date(Date ?? throw new RequestException("date is required, e.g. \"date\": \"2013-10-08\".", "date"), "date");
        var session = NyseCalendar.Instance.GetSession(date)
            ?? throw new RequestException($"{date:yyyy-MM-dd} ({date.DayOfWeek}) is not a trading day; pick a session date such as 2013-10-08.", "date");
        if (Top is < 1 or > 100)
        {
            throw new RequestException($"top must be 1 to 100 (got {Top}).", "top");
        }

        var universe = Symbols is null
            ? bars.AvailableSymbols(Timeframe.OneMinute)
            : Symbols.Select(s => RequestChecks.Symbol(s ?? string.Empty, "symbols")).Distinct().ToList();
        if (universe.Count == 0)
        {
            throw new RequestException("symbols is empty; list at least one, or leave it out for every bundled symbol.", "symbols");
        }

        return (session, universe, new ScanOptions(Top: Top).Validate());
    }

    /// <summary>Runs the replay, storing every refresh and publishing the watchlists in <paramref name="store"/>.</summary>
    public async Task<ScanDay> RunAsync(AppSettings settings, IWatchlistStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var bars = new CsvBarSource(settings.SampleDataDir ?? SampleData.LocateRoot(), NyseCalendar.Instance, settings.BarCache());
        var (session, universe, options) = Check(bars);
        var scheduler = ScanScheduler.Replay(session, bars, NyseCalendar.Instance, options, ScanSchedule.Premarket, store, bars.SplitsFor);
        return await scheduler.RunDayAsync(session.Date, universe, ct).ConfigureAwait(false);
    }
}
