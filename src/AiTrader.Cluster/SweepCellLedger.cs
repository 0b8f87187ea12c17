using AiTrader.Core.Backtesting.Sweeps;

namespace AiTrader.Cluster;

/// <summary>The coordinator's account of a distributed sweep: one row per cell, the first result for a cell wins and any
/// later one (a re-submitted cell whose first run also answered) is counted as discarded, never as a second row. A
/// walk-forward has one block of cells (one per combination) per window.</summary>
public sealed class SweepCellLedger
{
    private readonly ParameterGrid _grid;
    private readonly SweepRow?[] _rows;
    private readonly Dictionary<string, int> _perSilo = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private int _accepted;
    private int _discarded;
    private int _resubmitted;

    /// <param name="grid">The grid of every block.</param>
    /// <param name="blocks">Blocks of cells: 1 for a sweep, the windows of a walk-forward.</param>
    public SweepCellLedger(ParameterGrid grid, int blocks = 1)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        _grid = grid;
        _rows = new SweepRow?[grid.Count * blocks];
    }

    /// <summary>Cells with a result.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>True when every cell has its row.</summary>
    public bool Complete => Accepted == _rows.Length;

    /// <summary>Records <paramref name="result"/>; false (and counted as discarded) when its cell already has a row.</summary>
    public bool Accept(SweepCellResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Cell < 0 || result.Cell >= _rows.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(result), result.Cell, $"cell {result.Cell} is not among the {_rows.Length} cells.");
        }

        lock (_gate)
        {
            if (_rows[result.Cell] is not null)
            {
                _discarded++;
                return false;
            }

            _rows[result.Cell] = new SweepRow(_grid.Combination(result.Cell % _grid.Count), result.Metrics, result.Score);
            _perSilo[result.Silo] = _perSilo.GetValueOrDefault(result.Silo) + 1;
            _accepted++;
            return true;
        }
    }

    /// <summary>Notes that a cell was sent again after its silo was lost.</summary>
    public void Resubmitted()
    {
        lock (_gate)
        {
            _resubmitted++;
        }
    }

    /// <summary>The rows of a sweep (of block <paramref name="block"/> of a walk-forward) in grid order; throws when a
    /// cell has none.</summary>
    public IReadOnlyList<SweepRow> Rows(int block = 0)
    {
        lock (_gate)
        {
            var rows = _rows.AsSpan(block * _grid.Count, _grid.Count).ToArray();
            var missing = Array.FindIndex(rows, r => r is null);
            if (missing >= 0)
            {
                throw new InvalidOperationException($"cell {block * _grid.Count + missing} ({_grid.Combination(missing)}) has no result.");
            }

            return [.. rows.Select(r => r!)];
        }
    }

    /// <summary>What happened: rows accepted per silo, cells re-submitted, late duplicates discarded.</summary>
    public SweepCellReport Report()
    {
        lock (_gate)
        {
            return new SweepCellReport(_accepted, _resubmitted, _discarded, new SortedDictionary<string, int>(_perSilo, StringComparer.Ordinal));
        }
    }
}

/// <summary>A distributed sweep's accounting.</summary>
/// <param name="Cells">Cells with exactly one accepted result.</param>
/// <param name="Resubmitted">Cells sent again because the silo running them was lost.</param>
/// <param name="Discarded">Results that arrived for a cell that already had one.</param>
/// <param name="CellsPerSilo">Accepted results by the silo that ran them.</param>
public sealed record SweepCellReport(int Cells, int Resubmitted, int Discarded, IReadOnlyDictionary<string, int> CellsPerSilo)
{
    /// <summary>"cluster: 18 cells on 3 silos (127.0.0.1:11111: 6, ...); 0 sent again after a lost silo, 0 late duplicates discarded".</summary>
    public string Line() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"cluster: {Cells} cells on {CellsPerSilo.Count} silos ({string.Join(", ", CellsPerSilo.Select(s => $"{s.Key}: {s.Value}"))}); {Resubmitted} sent again after a lost silo, {Discarded} late duplicates discarded");
}
