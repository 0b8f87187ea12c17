using AiTrader.Application;
using AiTrader.Core.MarketData;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;

namespace AiTrader.Cluster.Scans;

/// <summary>A silo's side of universe scans: where its symbol grains read bars they were not streamed (the bundled
/// minute and daily bars through the columnar bar cache, on the scan date's split basis, as <c>aitrader scan --replay</c>
/// reads them) and the calendar.</summary>
public sealed class UniverseScanWork
{
    public UniverseScanWork(AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var source = new CsvBarSource(settings.SampleDataDir ?? SampleData.LocateRoot(), NyseCalendar.Instance, settings.BarCache());
        Reader = new ScanBarReader(source, source.SplitsFor);
    }

    /// <summary>The bars a rebuilding grain reads.</summary>
    public ScanBarReader Reader { get; }

    public ITradingCalendar Calendar => NyseCalendar.Instance;
}
