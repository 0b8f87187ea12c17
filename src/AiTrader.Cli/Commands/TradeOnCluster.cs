using System.CommandLine;
using System.Diagnostics;
using AiTrader.Application.Sessions;
using AiTrader.Cluster;
using AiTrader.Cluster.Sessions;
using AiTrader.Core.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader trade --paper --replay FROM:TO --cluster</c>: the run is a trading-session grain on the silos of a
/// cluster (<c>aitrader silo</c>), driven by whichever silo holds its single activation; this command starts it, follows
/// it (saying which silo drives it, and when another took it over after a lost silo) and prints <c>trade</c>'s summary.
/// The silos keep the run's state where a single-machine run keeps it (their data folder and DATABASE_URL), so give them
/// the same ones.</summary>
internal static class TradeOnCluster
{
    /// <summary>How often the client asks the run's grain how it stands.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the client prints how far the run is.</summary>
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(1);

    /// <summary>How long one call may take before the client takes it for lost (its silo died) and asks again.</summary>
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long the client keeps asking without an answer (a dead silo is voted out within a minute) before it
    /// gives up following; the run itself goes on on the cluster.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

    public static Option<bool> ClusterOption() =>
        new("--cluster") { Description = "With --paper --replay: drive the run in a trading-session grain on the silos of a cluster (start them with `aitrader silo`, with this data folder and DATABASE_URL); a lost silo's run resumes on another. Same journal and summary as on one machine." };

    /// <summary>Refuses what a run on the cluster cannot do, before anything is joined.</summary>
    public static void Check(TradingSessionRequest request, bool asJson)
    {
        if (request.Mode != SessionMode.Replay)
        {
            throw new CliException("--cluster drives a replay: add --paper --replay FROM:TO (a session on the live stream runs on this machine).");
        }

        if (asJson)
        {
            throw new CliException("--json prints a run driven on this machine; drop it with --cluster (the summary table is printed).");
        }
    }

    /// <summary>Drives <paramref name="spec"/> (the command's flags as a session spec) on the cluster behind
    /// <paramref name="gateways"/> (or <paramref name="table"/>'s silos) as run <paramref name="runId"/>, until it finishes.</summary>
    public static async Task<int> RunAsync(ReplaySessionSpec spec, string runId, IReadOnlyList<int> gateways, ClusterMembership? table,
        TextWriter stdout, CancellationToken ct)
    {
        var (host, _) = await SweepOnCluster.ConnectAsync(gateways, table, ct);
        try
        {
            var grain = host.Services.GetRequiredService<IClusterClient>().GetGrain<ITradingSessionGrain>(runId);
            var json = (spec with { RunId = runId }).ToJson();
            var status = await FollowAsync(grain, json, runId, stdout, ct);
            if (status.State == SessionDriveStatus.Failed)
            {
                throw new CliException($"run {runId} failed on silo {status.Silo}: {status.Error}");
            }

            await stdout.WriteLineAsync();
            await stdout.WriteAsync(status.Summary);
            return ExitCodes.Ok;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }
    }

    /// <summary>Asks the run's grain how it stands until it has ended, printing a line whenever another silo drives it. A
    /// call that finds no answer (its silo died, or is being voted out) is made again: that call activates the grain on a
    /// live silo, which resumes the run.</summary>
    private static async Task<SessionDriveStatus> FollowAsync(ITradingSessionGrain grain, string json, string runId, TextWriter stdout,
        CancellationToken ct)
    {
        string? silo = null;
        var sinceAnswer = Stopwatch.StartNew();
        var sinceProgress = Stopwatch.StartNew();
        var bars = 0;
        while (true)
        {
            SessionDriveStatus status;
            try
            {
                status = await grain.Drive(json).WaitAsync(CallTimeout, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                if (ex is RequestException request)
                {
                    throw new CliException(request.Message);
                }

                if (sinceAnswer.Elapsed > Patience)
                {
                    throw new CliException($"no silo answered for run {runId} in {Patience.TotalMinutes:0} minutes ({ex.GetType().Name}); check that the silos are up, then run the same command with --run-id {runId} to follow it again.");
                }

                await Task.Delay(Poll, ct);
                continue;
            }

            sinceAnswer.Restart();
            if (status.Silo != silo)
            {
                await stdout.WriteLineAsync(silo is null
                    ? $"run {runId}: paper replay driven on silo {status.Silo}"
                    : $"run {runId}: silo {silo} was lost; silo {status.Silo} took the run over and resumes it");
                await stdout.FlushAsync(ct);
                silo = status.Silo;
            }

            if (status.State != SessionDriveStatus.Running)
            {
                return status;
            }

            if (status.BarsProcessed != bars && sinceProgress.Elapsed >= ProgressEvery)
            {
                bars = status.BarsProcessed;
                sinceProgress.Restart();
                await stdout.WriteLineAsync($"run {runId}: {bars} bar times done on silo {status.Silo}");
                await stdout.FlushAsync(ct);
            }

            await Task.Delay(Poll, ct);
        }
    }
}
