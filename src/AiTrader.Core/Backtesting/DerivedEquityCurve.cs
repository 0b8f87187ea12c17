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
        var s = -1;
        var cash = _initialCash;
        var quantity = 0m;
        var run = 0;
        for (var i = 0; i < Count; i++)
        {
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
            yield return i == Count - 1 && _last is { } last ? last : Point(i, cash, quantity, mark);
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
        var columns = _bars as BarColumns;
        for (var k = 0; k < n; k++)
        {
            var i = start + k;
            while (s + 1 < _stateBars.Count && _stateBars[s + 1] <= i)
            {
                s++;
                (cash, quantity) = _states[s];
            }

            var time = columns is not null ? columns.TimeAt(i) : _bars[i].Timestamp;
            if (quantity == 0)
            {
                destination[k] = new EquityPoint(time, cash, 0m);
                continue;
            }

            while (run < _skipped.Count && _skipped[run].End < i)
            {
                run++;
            }

            var mark = run < _skipped.Count && _skipped[run].Start <= i ? _skipped[run].Mark : i;
            var price = mark < 0 ? 0m : columns is not null ? columns.CloseAt(mark) : _bars[mark].Close;
            var value = quantity * price;
            destination[k] = new EquityPoint(time, cash + value, Math.Abs(value));
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

    private EquityPoint Point(int index, decimal cash, decimal quantity, int markIndex)
    {
        // Columns give the time and close without putting a whole bar together.
        var timestamp = BarColumns.TimeOf(_bars, index);
        if (quantity == 0)
        {
            return new EquityPoint(timestamp, cash, 0m);
        }

        var price = markIndex < 0 ? 0m : BarColumns.CloseOf(_bars, markIndex);
        var value = quantity * price;
        return new EquityPoint(timestamp, cash + value, Math.Abs(value));
    }
}
