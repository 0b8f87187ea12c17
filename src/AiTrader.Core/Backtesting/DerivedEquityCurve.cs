using System.Collections;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Backtesting;

/// <summary>A backtest's per-bar equity curve, derived on demand from the account's states and the bars' closes
/// instead of stored point by point: equity_i = cash_i + quantity_i × mark_i, where (cash, quantity) is the state after
/// the last fill at or before bar i and mark_i is bar i's close (for a skipped bar, the last good close).</summary>
/// <remarks>The engine records a state only on bars where something filled, so a ten-million-bar run keeps a few
/// thousand states rather than 400 MB of points, and its loop does no per-bar marking. Reading point i costs a binary
/// search over the states; enumerating is sequential.</remarks>
internal sealed class DerivedEquityCurve : IReadOnlyList<EquityPoint>
{
    private readonly IReadOnlyList<Bar> _bars;

    // The bars as columns when they are (the CLI's always are): the time and close of a point read without a type test.
    private readonly BarColumns? _columns;
    private readonly decimal _initialCash;
    private readonly List<int> _stateBars = [];
    private readonly List<(decimal Cash, decimal Quantity)> _states = [];

    // Skipped bars as runs [Start, End] marked at one earlier bar: pre-market and after-hours bars come in long runs
    // (about half of an extended-hours minute file), and a run costs 12 bytes where a dictionary entry per bar cost ~24.
    private readonly List<(int Start, int End, int Mark)> _skipped = [];
    private EquityPoint? _last;

    public DerivedEquityCurve(IReadOnlyList<Bar> bars, decimal initialCash)
    {
        _bars = bars;
        _columns = bars as BarColumns;
        _initialCash = initialCash;
    }

    public int Count { get; private set; }

    /// <summary>Records the account after bar <paramref name="barIndex"/>'s fills (call only when it changed).</summary>
    public void RecordState(int barIndex, decimal cash, decimal quantity)
    {
        if (_stateBars.Count > 0 && _stateBars[^1] == barIndex)
        {
            _states[^1] = (cash, quantity);
            return;
        }

        _stateBars.Add(barIndex);
        _states.Add((cash, quantity));
    }

    /// <summary>Bar <paramref name="barIndex"/> is skipped: mark it at bar <paramref name="markIndex"/>'s close (−1: at 0).</summary>
    /// <remarks>Calls come in increasing bar order (the engine's walk).</remarks>
    public void MarkSkipped(int barIndex, int markIndex)
    {
        if (_skipped.Count > 0 && _skipped[^1] is var last && last.End == barIndex - 1 && last.Mark == markIndex)
        {
            _skipped[^1] = (last.Start, barIndex, markIndex);
            return;
        }

        _skipped.Add((barIndex, barIndex, markIndex));
    }

    /// <summary>Extends the curve to <paramref name="count"/> points.</summary>
    public void SetCount(int count) => Count = count;

    /// <summary>Replaces the last point (the end-of-data close books its commission into it).</summary>
    public void SetLast(EquityPoint point) => _last = point;

    public EquityPoint this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"The curve has {Count} points.");
            }

            if (index == Count - 1 && _last is { } last)
            {
                return last;
            }

            var s = _stateBars.BinarySearch(index);
            if (s < 0)
            {
                s = ~s - 1;
            }

            var (cash, quantity) = s >= 0 ? _states[s] : (_initialCash, 0m);
            return Point(index, cash, quantity, MarkOf(index));
        }
    }

    public IEnumerator<EquityPoint> GetEnumerator()
    {
        // The chunked walk (Fill) is the one walk; the enumerator hands its points out one at a time.
        var buffer = new EquityPoint[Math.Clamp(Count, 1, EquityChunks.ChunkSize)];
        for (var start = 0; start < Count;)
        {
            var n = Fill(start, buffer);
            for (var k = 0; k < n; k++)
            {
                yield return buffer[k];
            }

            start += n;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Writes points <paramref name="start"/>.. into <paramref name="destination"/> (as many as fit) in one
    /// sequential walk, the enumerator's arithmetic without an interface call per point; returns how many it wrote.</summary>
    internal int Fill(int start, Span<EquityPoint> destination)
    {
        var n = Math.Min(destination.Length, Count - start);
        if (n <= 0)
        {
            return 0;
        }

        // The state in force at the start (the last recorded at or before it) and the first skipped run not before it.
        var s = _stateBars.BinarySearch(start);
        if (s < 0)
        {
            s = ~s - 1;
        }

        var (cash, quantity) = s >= 0 ? _states[s] : (_initialCash, 0m);
        int lo = 0, hi = _skipped.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_skipped[mid].End < start)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        var run = lo;
        for (var k = 0; k < n; k++)
        {
            var i = start + k;
            while (s + 1 < _stateBars.Count && _stateBars[s + 1] <= i)
            {
                s++;
                (cash, quantity) = _states[s];
            }

            while (run < _skipped.Count && _skipped[run].End < i)
            {
                run++;
            }

            var mark = run < _skipped.Count && _skipped[run].Start <= i ? _skipped[run].Mark : i;
            destination[k] = Point(i, cash, quantity, mark);
        }

        if (start + n == Count && _last is { } last)
        {
            destination[n - 1] = last;
        }

        return n;
    }

    /// <summary>The bar whose close marks point <paramref name="index"/>: itself, or for a skipped bar the last good one.</summary>
    private int MarkOf(int index)
    {
        int lo = 0, hi = _skipped.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var (start, end, mark) = _skipped[mid];
            if (index < start)
            {
                hi = mid - 1;
            }
            else if (index > end)
            {
                lo = mid + 1;
            }
            else
            {
                return mark;
            }
        }

        return index;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private EquityPoint Point(int index, decimal cash, decimal quantity, int markIndex)
    {
        // Columns give the time and close without putting a whole bar together.
        var timestamp = _columns is { } columns ? columns.TimeAt(index) : _bars[index].Timestamp;
        if (quantity == 0)
        {
            return new EquityPoint(timestamp, cash, 0m);
        }

        var price = markIndex < 0 ? 0m : _columns is { } c ? c.CloseAt(markIndex) : _bars[markIndex].Close;
        var value = quantity * price;
        return new EquityPoint(timestamp, cash + value, Math.Abs(value));
    }
}
