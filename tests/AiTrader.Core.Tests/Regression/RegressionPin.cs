using System.Globalization;
using System.Text.Json;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Regression;

/// <summary>What a regression case pins. Numbers are strings so the JSON holds exactly what is compared: decimals
/// as plain digits, ratios rounded (Sharpe to 6 places, the others to 10) so an innocent change in summation order
/// far below the last pinned digit does not trip the pin.</summary>
public sealed record RegressionPin(
    string Case,
    int Trades,
    int Orders,
    int SkippedBars,
    string FinalEquity,
    string TotalFees,
    string MaxDrawdown,
    string Sharpe,
    string WinRate,
    string OrdersSha256)
{
    /// <summary>The pin of a finished run.</summary>
    public static RegressionPin Of(RegressionCase c, BacktestResult result)
    {
        var m = PerformanceCalculator.Compute(result.Options.InitialCapital, result.EquityCurve, result.Trades);
        return new RegressionPin(
            c.Name,
            m.Trades,
            result.Orders.Count,
            result.SkippedBars.Count,
            CanonicalOrderLog.Number(result.FinalEquity),
            CanonicalOrderLog.Number(m.TotalFees),
            Round(m.MaxDrawdown, 10),
            Round(m.Sharpe, 6),
            Round(m.WinRate, 10),
            CanonicalOrderLog.Sha256(result));
    }

    /// <summary>One line per field that differs, <c>name: pinned X, now Y</c>; empty when the pins agree.</summary>
    public static IReadOnlyList<string> Diff(RegressionPin pinned, RegressionPin now)
    {
        var fields = new (string Name, object Pinned, object Now)[]
        {
            ("trades", pinned.Trades, now.Trades),
            ("orders", pinned.Orders, now.Orders),
            ("skipped_bars", pinned.SkippedBars, now.SkippedBars),
            ("final_equity", pinned.FinalEquity, now.FinalEquity),
            ("total_fees", pinned.TotalFees, now.TotalFees),
            ("max_drawdown", pinned.MaxDrawdown, now.MaxDrawdown),
            ("sharpe", pinned.Sharpe, now.Sharpe),
            ("win_rate", pinned.WinRate, now.WinRate),
            ("orders_sha256", pinned.OrdersSha256, now.OrdersSha256),
        };
        return fields.Where(f => !Equals(f.Pinned, f.Now)).Select(f => $"{f.Name}: pinned {f.Pinned}, now {f.Now}").ToArray();
    }

    private static string Round(double? value, int digits) =>
        value is { } v ? Math.Round(v, digits, MidpointRounding.ToEven).ToString("F" + digits, CultureInfo.InvariantCulture) : "null";
}

/// <summary>The checked-in pins file, tests/AiTrader.Core.Tests/Regression/pins.json, read from and written to the
/// source tree (not the build output) so an update lands where git sees it.</summary>
internal static class RegressionPinFile
{
    /// <summary>Set to 1 to rewrite the pins from the current code instead of comparing.</summary>
    public const string UpdateVariable = "AITRADER_UPDATE_REGRESSION";

    public const string RelativePath = "tests/AiTrader.Core.Tests/Regression/pins.json";

    private static readonly Lock Gate = new();

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NewLine = "\n",
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static string FullPath => Path.Combine(TestPaths.RepoRoot, RelativePath);

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    /// <summary>The pins by case name; empty when the file does not exist yet.</summary>
    public static IReadOnlyDictionary<string, RegressionPin> Load()
    {
        lock (Gate)
        {
            return LoadUnlocked();
        }
    }

    /// <summary>Records <paramref name="pin"/> and drops pins of cases that no longer exist, keeping the file in case order.</summary>
    public static void Save(RegressionPin pin)
    {
        lock (Gate)
        {
            var pins = new Dictionary<string, RegressionPin>(LoadUnlocked(), StringComparer.Ordinal) { [pin.Case] = pin };
            var ordered = RegressionCase.All.Select(c => c.Name).Where(pins.ContainsKey).Select(n => pins[n]).ToArray();
            var text = JsonSerializer.Serialize(new PinsDocument(ordered), Json) + "\n";
            File.WriteAllText(FullPath, text);
        }
    }

    private static Dictionary<string, RegressionPin> LoadUnlocked()
    {
        if (!File.Exists(FullPath))
        {
            return new Dictionary<string, RegressionPin>(StringComparer.Ordinal);
        }

        var doc = JsonSerializer.Deserialize<PinsDocument>(File.ReadAllText(FullPath), Json)
            ?? throw new InvalidDataException($"{RelativePath} is empty.");
        return doc.Pins.ToDictionary(p => p.Case, StringComparer.Ordinal);
    }

    private sealed record PinsDocument(IReadOnlyList<RegressionPin> Pins);
}
