namespace AiTrader.Application;

/// <summary>Progress that never goes backwards: parallel workers report counts out of order, and only a value above
/// every earlier one is passed on (the sweep's progress bar, a job's stored progress).</summary>
/// <param name="update">Called with each new highest value; may be called from several threads.</param>
/// <param name="start">Values at or below this are never passed on.</param>
public sealed class MonotonicProgress(Action<int> update, int start = 0) : IProgress<int>
{
    private int _best = start;

    public void Report(int value)
    {
        int seen;
        do
        {
            seen = Volatile.Read(ref _best);
            if (value <= seen)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _best, value, seen) != seen);

        update(value);
    }
}
