using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiTrader.Cluster;

/// <summary>A silo's log of its cluster: one line per membership change (who is active, who joined, who died) and a
/// load line when its count of cells changes (at most every <see cref="LoadEvery"/>).</summary>
internal sealed partial class SiloActivityLog(IClusterMembershipService membership, SweepCellWork work, ILocalSiloDetails self,
    ILogger<SiloActivityLog> log) : BackgroundService
{
    private static readonly TimeSpan LoadEvery = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var load = LogLoadAsync(stoppingToken);
        var last = -1L;
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                // The same view comes again on each periodic read of the membership table: one line per change.
                if (snapshot.Version.Value == last)
                {
                    continue;
                }

                last = snapshot.Version.Value;
                var active = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).Select(Name).Order(StringComparer.Ordinal).ToList();
                var dead = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(Name).Order(StringComparer.Ordinal).ToList();
                LogMembership(log, self.SiloAddress.Endpoint.ToString(), snapshot.Version.Value, active.Count, string.Join(", ", active),
                    dead.Count == 0 ? "none" : string.Join(", ", dead));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await load;
    }

    private async Task LogLoadAsync(CancellationToken ct)
    {
        var last = -1L;
        using var timer = new PeriodicTimer(LoadEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var finished = work.Finished;
                var cancelled = work.Cancelled;
                if (finished + cancelled != last)
                {
                    last = finished + cancelled;
                    LogLoad(log, self.SiloAddress.Endpoint.ToString(), work.Running, finished, cancelled, Environment.ProcessorCount, work.BarsFromCache, work.BarsParsed, work.BarsDownloaded);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static string Name(ClusterMember member) => member.SiloAddress.Endpoint.ToString();

    [LoggerMessage(Level = LogLevel.Information, Message = "silo {Self}: membership v{Version}: {Active} active ({Members}); dead: {Dead}")]
    private static partial void LogMembership(ILogger logger, string self, long version, int active, string members, string dead);

    [LoggerMessage(Level = LogLevel.Information, Message = "silo {Self}: load: {Running} sweep cells running, {Finished} finished, {Cancelled} cancelled part-way, {Cores} cores; sweeps prepared from the bar cache: {FromCache}, from CSV: {Parsed}; bars downloaded from the shared cache: {Downloaded}")]
    private static partial void LogLoad(ILogger logger, string self, int running, long finished, long cancelled, int cores, int fromCache, int parsed, int downloaded);
}
