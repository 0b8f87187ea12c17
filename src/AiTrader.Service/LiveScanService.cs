using AiTrader.Application;
using AiTrader.Application.Scans;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;
using AiTrader.Core.Watchlists;
using AiTrader.Storage.Watchlists;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiTrader.Service;

/// <summary>Where the service's live premarket scan stands, for <c>GET /api/scans/schedule</c>.</summary>
public sealed class LiveScanStatus
{
    private readonly Lock _gate = new();

    public bool Enabled { get; init; }

    public string? Schedule { get; init; }

    /// <summary>Why the scheduler is not scanning (no schedule, no Alpaca keys), or null.</summary>
    public string? Off { get; set; }

    public DateTime? LastWindowUtc { get; private set; }

    public int LastRanked { get; private set; }

    public int RefreshesToday { get; private set; }

    public DateOnly? Day { get; private set; }

    public string? LastError { get; private set; }

    public void Refreshed(ScanRefresh refresh)
    {
        lock (_gate)
        {
            if (Day != refresh.SessionDate)
            {
                Day = refresh.SessionDate;
                RefreshesToday = 0;
            }

            RefreshesToday++;
            LastWindowUtc = refresh.Window;
            LastRanked = refresh.Ranked.Count();
        }
    }

    public void Failed(string error)
    {
        lock (_gate)
        {
            LastError = error;
        }
    }
}

/// <summary>The live premarket scan inside the service (<c>serve --scan-schedule</c>): each trading day, at every window
/// of the schedule (04:00-09:25 ET every 5 minutes for <c>premarket</c>), the gap / relative-volume scan over the
/// universe through the DAL and Alpaca snapshots; each refresh is stored and its top N published as the <c>scan</c>
/// watchlist, as <c>aitrader scan --premarket</c> does. Needs the Alpaca keys; without them it says so and stays off.</summary>
internal sealed partial class LiveScanService(ServiceOptions options, AppSettings settings, Func<string, string?> env, TimeProvider time,
    LiveScanStatus status, ILogger<LiveScanService> logger) : BackgroundService
{
    /// <summary>How long after a failed day the scheduler tries again (windows already past are skipped).</summary>
    private static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.ScanSchedule is not { } schedule)
        {
            return;
        }

        if (ScanSources.LiveVendors(env) is not { } alpaca)
        {
            status.Off = "no Alpaca keys: set APCA_API_KEY_ID and APCA_API_SECRET_KEY for the live scan";
            Off(logger, status.Off);
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var today = ExchangeTime.SessionDate(now);
            var windows = schedule.WindowsUtc(today, NyseCalendar.Instance);
            var wait = ExchangeTime.StartOfDateUtc(today.AddDays(1)) - now;
            if (windows.Count > 0 && windows[^1] >= now - TimeSpan.FromMinutes(1))
            {
                try
                {
                    await using var feed = new ScanSources.LiveFeed(alpaca, env, time);
                    await using var store = WatchlistStoreFactory.Create(null, env, settings.DataDir);
                    var universe = await ScanSources.UniverseAsync(null, env, null, replayMode: false, "universe", stoppingToken);
                    var scheduler = new ScanScheduler(feed.Scanner(new ScanOptions(Top: options.ScanTop)), schedule, NyseCalendar.Instance, time, store, "live")
                    {
                        OnRefresh = (refresh, _, _) =>
                        {
                            status.Refreshed(refresh);
                            Telemetry.ScanRefreshDuration.Record(refresh.Elapsed.TotalSeconds);
                            Refreshed(logger, refresh.Window, refresh.UniverseSize, refresh.Ranked.Count(), refresh.Errors.Count, refresh.Elapsed.TotalSeconds);
                            return Task.CompletedTask;
                        },
                    };
                    var day = await scheduler.RunDayAsync(today, universe, stoppingToken);
                    foreach (var note in day.Notes)
                    {
                        Note(logger, note);
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is not OutOfMemoryException)
                {
                    // A vendor outage or a store fault costs the windows it spans, not the day: try again shortly.
                    var message = ex.Message.ReplaceLineEndings(" ");
                    status.Failed(message);
                    Failed(logger, message);
                    wait = RetryAfter;
                }
            }

            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1), time, stoppingToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "live scan off: {Reason}")]
    private static partial void Off(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "live scan {Window:yyyy-MM-ddTHH:mm}Z: {Universe} symbols, {Ranked} ranked, {Errors} errors in {Seconds:0.000} s")]
    private static partial void Refreshed(ILogger logger, DateTime window, int universe, int ranked, int errors, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "live scan: {Note}")]
    private static partial void Note(ILogger logger, string note);

    [LoggerMessage(Level = LogLevel.Error, Message = "live scan failed, retrying in a minute: {Error}")]
    private static partial void Failed(ILogger logger, string error);
}
