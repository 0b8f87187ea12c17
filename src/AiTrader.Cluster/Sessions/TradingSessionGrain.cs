using AiTrader.Application;
using AiTrader.Application.Sessions;
using AiTrader.Core.Agents;
using Microsoft.Extensions.Hosting;

namespace AiTrader.Cluster.Sessions;

/// <summary>Drives one run on the silo of its single activation, off the grain's turn (a replay is minutes of work), and
/// answers how it stands. Deactivated (its silo stopping), it stops the driver between bar times, which leaves the run
/// resumable; the next activation, on whichever silo, runs the same request, and <see cref="TradingSessions"/> resumes
/// it from its registry entry and snapshot, re-running the bars already done without journaling them, so no order is
/// lost or sent twice.</summary>
internal sealed class TradingSessionGrain(TradingSessionWork work, ILocalSiloDetails silo, IHostApplicationLifetime lifetime) : Grain, ITradingSessionGrain
{
    private readonly CancellationTokenSource _stop = new();
    private CancellationTokenSource? _driverStop;
    private Task<TradingSessionOutcome>? _driver;
    private BarCount? _progress;

    public Task<SessionDriveStatus> Drive(string specJson)
    {
        if (_driver is null)
        {
            var request = ReplaySessionSpec.FromJson(specJson).ToRequest() with { RunId = this.GetPrimaryKeyString(), NewRun = false };
            TradingSessions.Check(request);
            _progress = new BarCount();
            // The driver also stops when the silo's host stops, however it stops.
            _driverStop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, lifetime.ApplicationStopping);
            var stop = _driverStop.Token;
            _driver = Task.Run(() => work.Sessions().RunAsync(request, _progress, null, stop), CancellationToken.None);
        }

        return Task.FromResult(Status());
    }

    public Task<string> Silo() => Task.FromResult(silo.SiloAddress.Endpoint.ToString());

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

    private SessionDriveStatus Status()
    {
        var here = silo.SiloAddress.Endpoint.ToString();
        var driver = _driver!;
        var bars = _progress!.Bars;
        if (!driver.IsCompleted)
        {
            return new SessionDriveStatus(SessionDriveStatus.Running, here, bars, false, null, 0, null);
        }

        if (driver.IsCompletedSuccessfully)
        {
            var outcome = driver.Result;
            return new SessionDriveStatus(SessionDriveStatus.Finished, here, outcome.Result.BarsProcessed, outcome.Resumed,
                outcome.Result.FinalEquity, outcome.Result.OrdersSubmitted, null, Summary(outcome.Result));
        }

        var error = driver.Exception?.GetBaseException() is { } ex ? ex.Message.ReplaceLineEndings(" ") : "the driver was cancelled";
        return new SessionDriveStatus(SessionDriveStatus.Failed, here, bars, false, null, 0, error);
    }

    private static string Summary(TradingSessionResult result) =>
        SessionSummary.Format(result, result.Exchange is { } exchange ? SessionSummary.PaperPositions(exchange) : []);

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
