namespace AiTrader.Cluster.Scans;

/// <summary>One symbol of a universe scan (keyed by its ticker): holds the symbol's streaming scan state, fed by the
/// market-data stream, and measures its row when a scan asks at a refresh window.</summary>
public interface IScanSymbolGrain : IGrainWithStringKey
{
    /// <summary>The next stretch of the symbol's stream on <paramref name="job"/>'s date; a stretch already here changes
    /// nothing, and a gap before it is filled from the bar cache.</summary>
    Task Feed(UniverseScanJob job, ScanBarBatch batch);

    /// <summary>The symbol's row at <paramref name="windowUtc"/> (only bars closed by then count); bars the stream has not
    /// brought yet are read from the bar cache first.</summary>
    Task<ScanSymbolReply> Measure(UniverseScanJob job, DateTime windowUtc);
}
