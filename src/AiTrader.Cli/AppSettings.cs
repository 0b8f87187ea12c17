using Microsoft.Extensions.Configuration;

namespace AiTrader.Cli;

/// <summary>Settings from appsettings.json and environment variables (environment wins).</summary>
public sealed class AppSettings
{
    /// <summary>Local state (SQLite, journal, caches): AITRADER_DATA_DIR, default ./data.</summary>
    public required string DataDir { get; init; }

    /// <summary>Run outputs: AITRADER_ARTIFACTS_DIR, default ./artifacts.</summary>
    public required string ArtifactsDir { get; init; }

    /// <summary>Bundled sample data root override: AITRADER_SAMPLE_DATA (default: next to the binary).</summary>
    public string? SampleDataDir { get; init; }

    public static AppSettings Load()
    {
        var config = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .Build();

        string Get(string envName, string section, string fallback) =>
            NonEmpty(config[envName]) ?? NonEmpty(config[$"AiTrader:{section}"]) ?? fallback;

        return new AppSettings
        {
            DataDir = Get("AITRADER_DATA_DIR", "DataDir", "./data"),
            ArtifactsDir = Get("AITRADER_ARTIFACTS_DIR", "ArtifactsDir", "artifacts"),
            SampleDataDir = NonEmpty(config["AITRADER_SAMPLE_DATA"]),
        };
    }

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
