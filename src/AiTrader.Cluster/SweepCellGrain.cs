using Orleans.Concurrency;

namespace AiTrader.Cluster;

/// <summary>A stateless worker: a call runs on the silo that receives it, so the client's spread of cells over the
/// gateways is their spread over the silos, and a cell holds nothing a lost silo could take with it.</summary>
[StatelessWorker]
internal sealed class SweepCellGrain(SweepCellWork work, ILocalSiloDetails silo) : Grain, ISweepCellGrain
{
    public async Task<SweepCellResult> Run(SweepCellJob job, int cell)
    {
        var row = await work.RunAsync(job, cell);
        return new SweepCellResult(cell, row.Metrics, row.Score, silo.SiloAddress.Endpoint.ToString());
    }
}
