using System.Collections.Concurrent;
using System.Diagnostics;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Scanning;

namespace AiTrader.Cluster.Scans;

/// <summary>The scan coordinator: at a refresh window it lets the stream bring each symbol grain up to the window, asks
/// every symbol grain for its row in parallel, and merges the rows with the single-machine scanner's ranking
/// (<see cref="ScanRefresh.Rank"/>); the scheduler, the store and the output are the single-machine scan's.</summary>
public sealed class ClusterUniverseScanner : IUniverseScanner
{
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _clock;
    private readonly IScanStream? _stream;
    private readonly ConcurrentDictionary<Symbol, HashSet<Guid>> _activations = new();
    private readonly ConcurrentDictionary<string, HashSet<Symbol>> _symbolsPerSilo = new();
    private readonly List<TimeSpan> _fanOuts = [];
    private long _stateBytes;
    private long _maxStateBytes;
    private int _stateSymbols;

    /// <param name="grains">The cluster client.</param>
    /// <param name="options">The scan's options.</param>
    /// <param name="clock">The scan's clock (a replay's simulated one): a refresh's start time.</param>
    /// <param name="stream">Brings the grains their bars before each window (a replay's <see cref="ReplayScanStream"/>);
    /// null when a live stream feeds them on its own.</param>
    public ClusterUniverseScanner(IGrainFactory grains, ScanOptions options, TimeProvider clock, IScanStream? stream)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        _grains = grains;
        Options = options.Validate();
        _clock = clock;
        _stream = stream;
    }

    public ScanOptions Options { get; }

    public async Task<ScanRefresh> ScanAsync(DateOnly date, DateTime windowUtc, IReadOnlyList<Symbol> universe, string mode = "replay",
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(universe);
        // The same checks, and the same one-line errors, as on one machine.
        _ = ScanWindow.For(Core.Sessions.NyseCalendar.Instance, Options, date, windowUtc);
        var started = _clock.GetUtcNow().UtcDateTime;
        var watch = Stopwatch.StartNew();
        var symbols = universe.Distinct().ToList();
        var job = UniverseScanJob.From(Options, date);
        if (_stream is not null)
        {
            await Task.WhenAll(symbols.Select(s => _stream.BringUpToAsync(Grain(s), job, s, windowUtc, cancellationToken))).ConfigureAwait(false);
        }

        var fanOut = Stopwatch.StartNew();
        var replies = await Task.WhenAll(symbols.Select(s => Grain(s).Measure(job, windowUtc).WaitAsync(cancellationToken))).ConfigureAwait(false);
        Record(fanOut.Elapsed, replies);
        return ScanRefresh.Rank(windowUtc, date, started, watch.Elapsed, symbols.Count, replies.Select(r => r.Row),
            replies.Select(r => r.Error).OfType<string>(), mode);
    }

    /// <summary>What the scan's grains did so far.</summary>
    public UniverseScanReport Report()
    {
        lock (_fanOuts)
        {
            return new UniverseScanReport(
                _activations.Count,
                _activations.Values.Sum(a => a.Count - 1),
                _symbolsPerSilo.ToDictionary(p => p.Key, p => p.Value.Count),
                [.. _fanOuts],
                _stateSymbols > 0 ? _stateBytes / _stateSymbols : 0,
                _maxStateBytes);
        }
    }

    private IScanSymbolGrain Grain(Symbol symbol) => _grains.GetGrain<IScanSymbolGrain>(symbol.Value);

    private void Record(TimeSpan fanOut, ScanSymbolReply[] replies)
    {
        lock (_fanOuts)
        {
            _fanOuts.Add(fanOut);
            _stateBytes = replies.Sum(r => r.StateBytes);
            _maxStateBytes = replies.Length > 0 ? replies.Max(r => r.StateBytes) : 0;
            _stateSymbols = replies.Length;
            foreach (var reply in replies)
            {
                _activations.GetOrAdd(reply.Row.Symbol, _ => []).Add(reply.Activation);
                _symbolsPerSilo.GetOrAdd(reply.Silo, _ => []).Add(reply.Row.Symbol);
            }
        }
    }
}

/// <summary>What a cluster scan's symbol grains did: symbols, activations rebuilt after a deactivation (or a lost silo),
/// which silos held the symbols, each window's fan-out time (all grains asked until the last answered) and the mean and
/// largest state a symbol holds at the last window.</summary>
public sealed record UniverseScanReport(int Symbols, int Rebuilt, IReadOnlyDictionary<string, int> SymbolsPerSilo,
    IReadOnlyList<TimeSpan> FanOuts, long MeanStateBytes, long MaxStateBytes);

/// <summary>Brings a symbol grain its stream up to a window before the scan asks it.</summary>
public interface IScanStream
{
    Task BringUpToAsync(IScanSymbolGrain grain, UniverseScanJob job, Symbol symbol, DateTime windowUtc, CancellationToken ct);
}

/// <summary>A replayed market-data stream: the scan date's minute bars from the premarket open on, read from the bundled
/// data the way the single-machine replay reads them, fed to each symbol grain in the stretch before each window. The
/// history before the premarket open is not streamed: a grain reads it from the bar cache when it (re)builds.</summary>
public sealed class ReplayScanStream(ScanBarReader reader) : IScanStream
{
    private readonly ConcurrentDictionary<Symbol, DateTime> _sent = new();

    public async Task BringUpToAsync(IScanSymbolGrain grain, UniverseScanJob job, Symbol symbol, DateTime windowUtc, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(grain);
        ArgumentNullException.ThrowIfNull(job);
        var open = Core.Sessions.NyseCalendar.Instance.GetSession(job.Date)!.PremarketOpenUtc;
        var from = _sent.TryGetValue(symbol, out var sent) && sent > open ? sent : open;
        if (windowUtc <= from)
        {
            return;
        }

        IReadOnlyList<Bar> bars;
        try
        {
            bars = await reader.LoadAsync(symbol, Timeframe.OneMinute, from, windowUtc.AddTicks(-1), job.Date, ct).ConfigureAwait(false);
        }
        catch (MarketDataException)
        {
            // Nothing to stream for this symbol; its grain reports the failure when it reads the same data.
            return;
        }

        await grain.Feed(job, new ScanBarBatch(from, windowUtc, [.. bars])).WaitAsync(ct).ConfigureAwait(false);
        _sent[symbol] = windowUtc;
    }
}
