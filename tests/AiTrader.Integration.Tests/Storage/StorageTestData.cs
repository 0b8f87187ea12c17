using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Integration.Tests.TestSupport;

namespace AiTrader.Integration.Tests.Storage;

/// <summary>Real bundled bars and scratch directories for the storage tests.</summary>
internal static class StorageTestData
{
    private static readonly Lazy<IReadOnlyList<Bar>> SpyMinute = new(() => LoadCsv(Path.Combine(TestPaths.SampleRoot, "minute", "SPY.csv")));

    /// <summary>The bundled SPY minute bars (data/sample/minute/SPY.csv), parsed with decimal.Parse.</summary>
    public static IReadOnlyList<Bar> SpyMinuteBars => SpyMinute.Value;

    public static IReadOnlyList<Bar> LoadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        Assert.Equal("timestamp,open,high,low,close,volume", lines[0]);
        var bars = new List<Bar>(lines.Length - 1);
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var f = line.Split(',');
            var ts = DateTime.Parse(f[0], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            bars.Add(new Bar(ts, Dec(f[1]), Dec(f[2]), Dec(f[3]), Dec(f[4]), Dec(f[5])));
        }

        return bars;
    }

    /// <summary>Synthetic minute bars every minute from <paramref name="start"/>, with trade counts and VWAPs set on odd rows.</summary>
    public static IReadOnlyList<Bar> Minutes(DateTime start, int count) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var price = 100m + i * 0.01m;
            return new Bar(start.AddMinutes(i), price, price + 0.05m, price - 0.05m, price + 0.01m, 1000 + i,
                i % 2 == 1 ? 10 + i : null, i % 2 == 1 ? price + 0.00012345m : null);
        }).ToList();

    public static DateTime Utc(int y, int mo, int d, int h = 0, int mi = 0) => new(y, mo, d, h, mi, 0, DateTimeKind.Utc);

    private static decimal Dec(string s) => decimal.Parse(s, NumberStyles.Number, CultureInfo.InvariantCulture);
}

/// <summary>A directory under the system temp folder that is deleted with the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aitrader-storage-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
