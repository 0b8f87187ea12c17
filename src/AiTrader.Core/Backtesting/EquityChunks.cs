namespace AiTrader.Core.Backtesting;

/// <summary>Reads an equity curve a few thousand points at a time: a derived curve (<see cref="DerivedEquityCurve"/>)
/// fills each chunk in one walk, so the metrics, equity.csv and the report pay no interface call per point (two million
/// points went through <c>IEnumerator</c>'s MoveNext and Current in each of them); any other list is copied as it is.</summary>
public static class EquityChunks
{
    /// <summary>Points per chunk: 4,096 × 40 bytes stays in the second-level cache.</summary>
    public const int ChunkSize = 4096;

    /// <summary>The points of <paramref name="equity"/> in order, chunk by chunk; each chunk is valid until the next is read.</summary>
    public static IEnumerable<ReadOnlyMemory<EquityPoint>> Of(IReadOnlyList<EquityPoint> equity)
    {
        ArgumentNullException.ThrowIfNull(equity);
        if (equity is EquityPoint[] array)
        {
            yield return array;
            yield break;
        }

        var buffer = new EquityPoint[Math.Min(ChunkSize, Math.Max(equity.Count, 1))];
        for (var start = 0; start < equity.Count;)
        {
            int n;
            if (equity is DerivedEquityCurve derived)
            {
                n = derived.Fill(start, buffer);
            }
            else
            {
                n = Math.Min(buffer.Length, equity.Count - start);
                for (var k = 0; k < n; k++)
                {
                    buffer[k] = equity[start + k];
                }
            }

            yield return buffer.AsMemory(0, n);
            start += n;
        }
    }
}
