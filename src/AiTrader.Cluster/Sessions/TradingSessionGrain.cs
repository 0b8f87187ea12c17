using AiTrader.Application;
using AiTrader.Application.Sessions;
using AiTrader.Core.Agents;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiTrader.Cluster.Sessions;

/// <summary>Drives one run on the silo of its single activation, off the grain's turn (a replay is minutes of work), and
/// answers how it stands. Deactivated (its silo stopping), it stops the driver between bar times, which leaves the run
/// resumable; the next activation, on whichever silo, runs the same request, and <see cref="TradingSessions"/> resumes
/// it from its registry entry and snapshot, re-running the bars already done without journaling them, so no order is
/// lost or sent twice.</summary>
/// <remarks>The next activation comes with the client's next call or, with no client, with the run's keep-alive reminder
/// (<see cref="KeepAliveReminder"/>, every <see cref="TradingSessionWork.KeepAlive"/>): the reminder service lives in the
/// cluster's storage, so when the run's silo dies another silo's reminder service takes the reminder over and its tick
/// activates the grain there, which resumes the run from the spec kept in the shared data folder. The ticks also keep a
/// long run's activation from being collected as idle. The reminder and the spec go when the run ends.</remarks>
internal sealed partial class TradingSessionGrain(TradingSessionWork work, ILocalSiloDetails silo, IHostApplicationLifetime lifetime,
    ILogger<TradingSessionGrain> log) : Grain, ITradingSessionGrain, IRemindable
{
    /// <summary>The name of a run's keep-alive reminder.</summary>
    public const string KeepAliveReminder = "keep-alive";

    private readonly CancellationTokenSource _stop = new();
    private CancellationTokenSource? _driverStop;
    private Task<TradingSessionOutcome>? _driver;
    private BarCount? _progress;

    private string RunId => this.GetPrimaryKeyString();

    public async Task<SessionDriveStatus> Drive(string specJson)
    {
        if (_driver is null)
        {
            StartDriver(specJson);
            work.SaveSpec(RunId, specJson);
            await KeepAliveAsync();
        }
        else
        {
            await ForgetIfEndedAsync();
        }

        return Status();
    }

    public Task<string> Silo() => Task.FromResult(Here);

    /// <summary>The keep-alive tick: a run with no driver in the cluster gets one here, from its kept spec.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != KeepAliveReminder)
        {
            return;
        }

        if (_driver is not null)
        {
            await ForgetIfEndedAsync();
            return;
        }

        if (work.LoadSpec(RunId) is not { } spec)
        {
            // Nothing kept to resume from (the silos do not share the data folder, or the spec was moved away).
            LogCannotResume(log, RunId, Here, $"no session spec in {work.Settings.DataDir}; give every silo the same AITRADER_DATA_DIR");
            await DropReminderAsync();
            return;
        }

        try
        {
            StartDriver(spec);
        }
        catch (RequestException ex)
        {
            // A spec that no longer drives (its strategy gone, say): nothing to resume, so no more ticks.
            LogCannotResume(log, RunId, Here, ex.Message);
            if (await DropReminderAsync())
            {
                work.ForgetSpec(RunId);
            }

            return;
        }

        LogResumed(log, RunId, Here);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _stop.CancelAsync();
        if (_driver is { } driver)
        {
            try
            {
                await driver.WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or RequestException)
            {
                // Stopped between bar times: the run stays unfinished, to be resumed by the next activation.
            }
        }

        _driverStop?.Dispose();
        _stop.Dispose();
    }

    private string Here => silo.SiloAddress.Endpoint.ToString();

    private void StartDriver(string specJson)
    {
        var request = ReplaySessionSpec.FromJson(specJson).ToRequest() with { RunId = RunId, NewRun = false };
        TradingSessions.Check(request);
        _progress = new BarCount();
        // The driver also stops when the silo's host stops, however it stops.
        _driverStop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, lifetime.ApplicationStopping);
        var stop = _driverStop.Token;
        var progress = _progress;
        _driver = Task.Run(() => work.Sessions().RunAsync(request, progress, null, stop), CancellationToken.None);
    }

    private async Task KeepAliveAsync()
    {
        try
        {
            await this.RegisterOrUpdateReminder(KeepAliveReminder, work.KeepAlive, work.KeepAlive);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // No reminder service (or its storage does not answer): the run is driven all the same, and resumes after a
            // lost silo on the client's next call only.
            LogNoKeepAlive(log, RunId, ex.GetType().Name, ex.Message.ReplaceLineEndings(" "));
        }
    }

    /// <summary>Once the run has ended (finished, or failed for good), its reminder and spec go: nothing is left to resume.
    /// A driver cancelled by its silo's stop has not ended the run.</summary>
    private async Task ForgetIfEndedAsync()
    {
        var driver = _driver!;
        var ended = driver.IsCompletedSuccessfully || (driver.IsFaulted && driver.Exception!.GetBaseException() is not OperationCanceledException);
        // The reminder first: when dropping it fails, the spec stays and the next tick tries again.
        if (ended && work.LoadSpec(RunId) is not null && await DropReminderAsync())
        {
            work.ForgetSpec(RunId);
        }
    }

    /// <summary>Drops the run's keep-alive reminder; false when the reminder service did not answer (the next tick tries again).</summary>
    private async Task<bool> DropReminderAsync()
    {
        try
        {
            if (await this.GetReminder(KeepAliveReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNoKeepAlive(log, RunId, ex.GetType().Name, ex.Message.ReplaceLineEndings(" "));
            return false;
        }
    }

    private SessionDriveStatus Status()
    {
        var driver = _driver!;
        var bars = _progress!.Bars;
        if (!driver.IsCompleted)
        {
            return new SessionDriveStatus(SessionDriveStatus.Running, Here, bars, false, null, 0, null);
        }

        if (driver.IsCompletedSuccessfully)
        {
            var outcome = driver.Result;
            return new SessionDriveStatus(SessionDriveStatus.Finished, Here, outcome.Result.BarsProcessed, outcome.Resumed,
                outcome.Result.FinalEquity, outcome.Result.OrdersSubmitted, null, Summary(outcome.Result));
        }

        var error = driver.Exception?.GetBaseException() is { } ex ? ex.Message.ReplaceLineEndings(" ") : "the driver was cancelled";
        return new SessionDriveStatus(SessionDriveStatus.Failed, Here, bars, false, null, 0, error);
    }

    private static string Summary(TradingSessionResult result) =>
        SessionSummary.Format(result, result.Exchange is { } exchange ? SessionSummary.PaperPositions(exchange) : []);

    [LoggerMessage(Level = LogLevel.Information, Message = "run {RunId}: no driver was running it; resuming it on silo {Silo} (keep-alive reminder)")]
    private static partial void LogResumed(ILogger logger, string runId, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId}: cannot be resumed on silo {Silo} ({Reason}); its keep-alive reminder is dropped")]
    private static partial void LogCannotResume(ILogger logger, string runId, string silo, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "run {RunId}: keep-alive reminder not updated ({Error}: {Reason}); the run resumes after a lost silo on a client's next call only")]
    private static partial void LogNoKeepAlive(ILogger logger, string runId, string error, string reason);

    /// <summary>Counts the bar times the driver has processed.</summary>
    private sealed class BarCount : ITradingSessionObserver
    {
        private int _bars;

        public int Bars => Volatile.Read(ref _bars);

        public void Progress(SessionProgress progress)
        {
            ArgumentNullException.ThrowIfNull(progress);
            Volatile.Write(ref _bars, progress.BarsProcessed);
        }
    }
}
