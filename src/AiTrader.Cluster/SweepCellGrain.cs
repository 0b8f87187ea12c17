using Orleans.Concurrency;

namespace AiTrader.Cluster;

/// <summary>A stateless worker: a call runs on the silo that receives it, so the client's spread of cells over the
/// gateways is their spread over the silos, and a cell holds nothing a lost silo could take with it.</summary>
/// <remarks>One worker a key (each run of a cell has a key of its own, so one call a key): a caller's cancel, sent to the
/// key, then reaches the worker running the call, not a fresh one.</remarks>
[StatelessWorker(1)]
internal sealed class SweepCellGrain(SweepCellWork work, ILocalSiloDetails silo) : Grain, ISweepCellGrain
{
    public async Task<SweepCellResult> Run(SweepCellJob job, int cell, CancellationToken cancellationToken = default)
    {
        var row = await work.RunAsync(job, cell, cancellationToken);
        return new SweepCellResult(cell, row.Metrics, row.Score, silo.SiloAddress.Endpoint.ToString());
    }
}
