using System.Collections.Concurrent;
using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.MarketData;

/// <summary>Serves bars from a folder of CSV files laid out like <c>data/sample</c>: daily/, minute/ and corporate_actions/splits.csv.</summary>
/// <remarks>1Day comes from daily/ (authoritative: never rebuilt from minute data, which lacks some days); 1Min from
/// minute/; 5Min to 1Hour are resampled from minute bars, regular session only. Parsed files are cached for the life of
/// the source, so create one per data folder and share it (it is thread-safe).</remarks>
public sealed class CsvBarSource : IBarSource
{
    private readonly string _root;
    private readonly ITradingCalendar _calendar;
    private readonly ConcurrentDictionary<string, Lazy<BarColumns>> _files = new(StringComparer.Ordinal);
    private readonly Lazy<ILookup<Symbol, SplitEvent>> _splits;

    private readonly BarFileCache? _cache;

    /// <summary>Creates a source over <paramref name="rootDirectory"/>; the calendar defines the sessions used when resampling.</summary>
    /// <param name="cache">Where parsed files are kept as columns for later runs (null: parse every time).</param>
    public CsvBarSource(string rootDirectory, ITradingCalendar calendar, BarFileCache? cache = null)
    {
        _cache = cache;
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        ArgumentNullException.ThrowIfNull(calendar);
        if (!Directory.Exists(rootDirectory))
        {
            throw new MarketDataException($"Bar data folder {rootDirectory} does not exist; expected a folder with daily/ and minute/.");
        }

        _root = rootDirectory;
        _calendar = calendar;
        _splits = new Lazy<ILookup<Symbol, SplitEvent>>(LoadSplits, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>A source over the bundled sample data found by <see cref="SampleData.LocateRoot"/>.</summary>
    public static CsvBarSource OpenSample(ITradingCalendar calendar) => new(SampleData.LocateRoot(), calendar);

    public string RootDirectory => _root;

    /// <summary>Symbols with a file for <paramref name="timeframe"/> (1Day: daily/, intraday: minute/), sorted.</summary>
    public IReadOnlyList<Symbol> AvailableSymbols(Timeframe timeframe)
    {
        var dir = FolderFor(timeframe);
        if (!Directory.Exists(dir))
        {
            return [];
        }

        return Directory.EnumerateFiles(dir, "*.csv")
            .Select(Path.GetFileNameWithoutExtension)
            // A stray file whose name is no ticker (notes.csv is, "my data.csv" is not) is not a symbol: skip it.
            .Select(n => Symbol.TryParse(n, out var symbol, out _) ? symbol : (Symbol?)null)
            .OfType<Symbol>()
            .OrderBy(s => s.Value, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>All splits of <paramref name="symbol"/> from corporate_actions/splits.csv (none when the file is absent).</summary>
    public IReadOnlyList<SplitEvent> SplitsFor(Symbol symbol) => _splits.Value[symbol].ToList();

    public Task<BarSeries> GetBarsAsync(BarRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (request.StartUtc is { } s && request.EndUtc is { } e && s > e)
        {
            throw new MarketDataException($"Start {s:O} is after end {e:O}; swap them.");
        }

        IReadOnlyList<Bar> bars = LoadRaw(request.Symbol, request.Timeframe);
        if (request.Adjustment == PriceAdjustment.Split)
        {
            bars = SplitAdjuster.Adjust(bars, SplitsFor(request.Symbol));
        }

        if (request.Timeframe.IsIntraday && request.Timeframe != Timeframe.OneMinute)
        {
            bars = BarResampler.Resample(bars, request.Timeframe, _calendar);
        }

        cancellationToken.ThrowIfCancellationRequested();

        // Detect on the whole series so the first bar in range still has its previous close and recent volatility.
        var flags = OutlierDetector.Detect(bars);
        var start = request.StartUtc ?? DateTime.MinValue;
        var end = request.EndUtc ?? DateTime.MaxValue;
        // Columns are cut by a view (binary search, no copy); other lists (resampled bars) are small.
        IReadOnlyList<Bar> inRange = bars is BarColumns columns
            ? columns.Between(start, end)
            : bars.Where(b => b.Timestamp >= start && b.Timestamp <= end).ToList();
        var flagsInRange = flags.Where(f => f.Timestamp >= start && f.Timestamp <= end).ToList();
        return Task.FromResult(new BarSeries(request.Symbol, request.Timeframe, inRange, flagsInRange));
    }

    private BarColumns LoadRaw(Symbol symbol, Timeframe timeframe)
    {
        var dir = FolderFor(timeframe);
        var path = Path.Combine(dir, symbol.Value + ".csv");
        if (!File.Exists(path))
        {
            var available = string.Join(", ", AvailableSymbols(timeframe));
            var hint = timeframe.IsIntraday && File.Exists(Path.Combine(FolderFor(Timeframe.OneDay), symbol.Value + ".csv"))
                ? $" ({symbol} has daily bars: request 1Day)"
                : string.Empty;
            throw new MarketDataException(
                $"unknown symbol '{symbol}' for {timeframe} in the CSV bar data ({Display(dir)}){hint}; available: {(available.Length > 0 ? available : "none")}");
        }

        // Lazy makes concurrent first requests for one file parse it once; a failed parse is not cached.
        var lazy = _files.GetOrAdd(path, p => new Lazy<BarColumns>(() => Load(p), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _files.TryRemove(new KeyValuePair<string, Lazy<BarColumns>>(path, lazy));
            throw;
        }
    }

    /// <summary>Parses a file, through the columnar cache when the source has one.</summary>
    private BarColumns Load(string path) =>
        _cache is { } cache ? cache.Load(path, p => CsvBarParser.ParseFileColumns(Display(p))) : CsvBarParser.ParseFileColumns(Display(path));

    private ILookup<Symbol, SplitEvent> LoadSplits()
    {
        var path = Path.Combine(_root, "corporate_actions", "splits.csv");
        var splits = File.Exists(path) ? CorporateActions.LoadSplits(Display(path)) : [];
        return splits.ToLookup(s => s.Symbol);
    }

    private string FolderFor(Timeframe timeframe) => Path.Combine(_root, timeframe.IsIntraday ? "minute" : "daily");

    /// <summary>Paths in messages relative to the working directory when that is shorter, e.g. data/sample/daily/X.csv.</summary>
    private static string Display(string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative;
    }
}
