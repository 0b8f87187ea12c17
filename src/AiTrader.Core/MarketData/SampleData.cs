namespace AiTrader.Core.MarketData;

/// <summary>Finds the bundled offline data folder (<c>data/sample</c> with daily/, minute/, corporate_actions/).</summary>
public static class SampleData
{
    /// <summary>Environment variable that overrides where the sample data lives.</summary>
    public const string RootVariable = "AITRADER_SAMPLE_DATA";

    /// <summary>Returns the sample-data root: <c>AITRADER_SAMPLE_DATA</c> if set, else <c>data/sample</c> next to the
    /// binary (the CLI copies it there), else the first <c>data/sample</c> found walking up from the current directory.</summary>
    public static string LocateRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(RootVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            // An explicit setting that points nowhere is a mistake to report, not a reason to silently use other data.
            var full = Path.GetFullPath(fromEnvironment);
            return Directory.Exists(Path.Combine(full, "daily"))
                ? full
                : throw new MarketDataException(
                    $"{RootVariable}={fromEnvironment} has no daily/ folder; point it at a folder laid out like data/sample or unset it.");
        }

        var besideBinary = Path.Combine(AppContext.BaseDirectory, "data", "sample");
        if (Directory.Exists(Path.Combine(besideBinary, "daily")))
        {
            return besideBinary;
        }

        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data", "sample");
            if (Directory.Exists(Path.Combine(candidate, "daily")))
            {
                return candidate;
            }
        }

        throw new MarketDataException(
            $"Sample data not found: no data/sample/daily next to the binary ({AppContext.BaseDirectory}) or above " +
            $"{Directory.GetCurrentDirectory()}; set {RootVariable} to the folder that contains daily/ and minute/.");
    }
}
