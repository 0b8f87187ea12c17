using System.Text.RegularExpressions;
using AiTrader.Cli;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Application;

/// <summary>The start-up check of the environment: malformed values are one line naming the variable (never repeating
/// a secret), valid and unset ones pass, the CLI stops with exit code 2 before any command, and the list of variables
/// matches both the code that reads them and <c>.env.example</c>.</summary>
[Trait("Category", "Cli")]
public sealed partial class EnvironmentCheckTests
{
    private static IReadOnlyList<string> ProblemsWith(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return EnvironmentCheck.Problems(name => map.GetValueOrDefault(name));
    }

    [Fact]
    public void An_empty_environment_has_no_problems() =>
        Assert.Empty(EnvironmentCheck.Problems(_ => null));

    [Theory]
    [InlineData("DATABASE_URL", "postgres://trader:s3cret@db.example.com:5432/aitrader?sslmode=require")]
    [InlineData("DATABASE_URL", "postgresql://localhost/aitrader")]
    [InlineData("DATABASE_URL", "Host=localhost;Port=5432;Database=aitrader;Username=trader;Password=x")]
    [InlineData("ALPHAVANTAGE_API_KEY", "  DEMO123  ")]
    [InlineData("APCA_API_KEY_ID", "PKABCDEF")]
    [InlineData("ALPHAVANTAGE_BASE_URL", "http://127.0.0.1:9")]
    [InlineData("ALPACA_STREAM_URL", "wss://stream.data.alpaca.markets/v2/iex")]
    [InlineData("ALPACA_STREAM_URL", "http://127.0.0.1:5000")]
    [InlineData("ALPACA_TRADING_STREAM_URL", "wss://paper-api.alpaca.markets/stream")]
    [InlineData("MAX_WATCHLIST", "25")]
    [InlineData("DISCORD_LOOKBACK_HOURS", "1.5")]
    [InlineData("WATCHLIST_STORE", "Postgres")]
    [InlineData("WATCHLIST_SOURCE", "auto")]
    [InlineData("TEXTLIST_BACKENDS", "discord, signal")]
    [InlineData("AITRADER_VENDOR_CHAIN", "alphavantage,yahoo")]
    [InlineData("AZURE_BLOB_CONNECTION_STRING", "UseDevelopmentStorage=true")]
    [InlineData("AZURE_BLOB_CONNECTION_STRING", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net")]
    [InlineData("AZURE_BLOB_CONTAINER", "ai-trader-01")]
    [InlineData("AITRADER_DEBUG", "0")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")]
    [InlineData("AITRADER_BAR_CACHE", "off")]
    [InlineData("AITRADER_BAR_CACHE_BLOB", "aitrader-bars")]
    [InlineData("AITRADER_CLUSTER_CONNECTION_STRING", "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.windows.net")]
    [InlineData("AITRADER_CLUSTER_CONNECTION_STRING", "127.0.0.1:6380")]
    [InlineData("AITRADER_CLUSTER_CONNECTION_STRING", "redis.internal:6379,password=s3cret,ssl=true")]
    [InlineData("ALPACA_STREAM_MAX_RECONNECTS", "0")]
    public void Well_formed_values_pass(string name, string value) =>
        Assert.Empty(ProblemsWith((name, value)));

    [Theory]
    [InlineData("DATABASE_URL", "mysql://trader:s3cret@db/aitrader", "DATABASE_URL is a mysql:// URL, not PostgreSQL")]
    [InlineData("DATABASE_URL", "just-a-hostname", "DATABASE_URL is neither a postgres:// URL nor a connection string with Host=")]
    [InlineData("DATABASE_URL", "Database=aitrader;Username=x", "DATABASE_URL is neither a postgres:// URL nor a connection string with Host=")]
    [InlineData("DATABASE_URL", "postgres://", "DATABASE_URL is not a valid postgres:// URL")]
    [InlineData("FINNHUB_API_KEY", "", "FINNHUB_API_KEY is set but empty")]
    [InlineData("TWELVEDATA_API_KEY", "  \t", "TWELVEDATA_API_KEY is set but empty")]
    [InlineData("AITRADER_DATA_DIR", "", "AITRADER_DATA_DIR is set but empty")]
    [InlineData("APCA_API_SECRET_KEY", "abc def", "APCA_API_SECRET_KEY contains whitespace")]
    [InlineData("ALPHAVANTAGE_API_KEY", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/av/)", "ALPHAVANTAGE_API_KEY is an unresolved Key Vault reference")]
    [InlineData("FINNHUB_BASE_URL", "finnhub.io/api/v1", "FINNHUB_BASE_URL='finnhub.io/api/v1' is not an absolute http:// or https:// URL; fix or unset it.")]
    [InlineData("ALPACA_TRADING_STREAM_URL", "https://paper-api.alpaca.markets/stream", "ALPACA_TRADING_STREAM_URL='https://paper-api.alpaca.markets/stream' is not an absolute ws:// or wss:// URL; fix or unset it.")]
    [InlineData("ALPACA_STREAM_URL", "stream.example.com", "ALPACA_STREAM_URL='stream.example.com' is not an absolute ws://, wss://, http:// or https:// URL; fix or unset it.")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", "OTEL_EXPORTER_OTLP_ENDPOINT='collector:4318' is not an absolute http:// or https:// URL; fix or unset it.")]
    [InlineData("MAX_WATCHLIST", "0", "MAX_WATCHLIST='0' is not a whole number from 1 to 10000")]
    [InlineData("MAX_WATCHLIST", "ten", "MAX_WATCHLIST='ten' is not a whole number from 1 to 10000")]
    [InlineData("ALPACA_STREAM_MAX_RECONNECTS", "1001", "ALPACA_STREAM_MAX_RECONNECTS='1001' is not a whole number from 0 to 1000")]
    [InlineData("DISCORD_MAX_PAGES", "-3", "DISCORD_MAX_PAGES='-3' is not a whole number from 1 to 1000")]
    [InlineData("DISCORD_LOOKBACK_HOURS", "0", "DISCORD_LOOKBACK_HOURS='0' is not a number above 0 and at most 720")]
    [InlineData("WATCHLIST_STORE", "redis", "WATCHLIST_STORE='redis' is not one of json, blob, postgres")]
    [InlineData("WATCHLIST_SOURCE", "reddit", "WATCHLIST_SOURCE='reddit' is not one of auto, manual")]
    [InlineData("TEXTLIST_BACKENDS", "discord,slack", "TEXTLIST_BACKENDS='discord,slack' has 'slack'")]
    [InlineData("AITRADER_VENDOR_CHAIN", "alphavantage,,yahoo", "AITRADER_VENDOR_CHAIN='alphavantage,,yahoo' has ''")]
    [InlineData("AZURE_BLOB_CONNECTION_STRING", "not a connection string", "AZURE_BLOB_CONNECTION_STRING is not a connection string of key=value pairs")]
    [InlineData("AZURE_BLOB_CONNECTION_STRING", "AccountKey=a2V5", "AZURE_BLOB_CONNECTION_STRING names no AccountName or BlobEndpoint")]
    [InlineData("AZURE_BLOB_CONTAINER", "Watchlists", "AZURE_BLOB_CONTAINER='Watchlists' is not a container name")]
    [InlineData("AZURE_BLOB_CONTAINER", "a--b", "AZURE_BLOB_CONTAINER='a--b' is not a container name")]
    [InlineData("AITRADER_DEBUG", "yes", "AITRADER_DEBUG='yes' must be 1 (on) or 0 (off)")]
    [InlineData("AITRADER_BAR_CACHE_BLOB", "Bars_2", "AITRADER_BAR_CACHE_BLOB='Bars_2' is not a container name")]
    [InlineData("AITRADER_CLUSTER_CONNECTION_STRING", "redis.internal", "AITRADER_CLUSTER_CONNECTION_STRING is neither an Azure Storage connection string nor a Redis address host:port")]
    [InlineData("AITRADER_CLUSTER_CONNECTION_STRING", "AccountKey=a2V5", "AITRADER_CLUSTER_CONNECTION_STRING names no AccountName or BlobEndpoint")]
    public void A_malformed_value_is_one_line_naming_the_variable(string name, string value, string expected)
    {
        var problem = Assert.Single(ProblemsWith((name, value)));
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem);
    }

    [Theory]
    [InlineData("DATABASE_URL", "mysql://trader:hunter2@db/aitrader")]
    [InlineData("DATABASE_URL", "postgres://trader:hunter2@")]
    [InlineData("APCA_API_SECRET_KEY", "hunter2 hunter2")]
    [InlineData("AZURE_BLOB_CONNECTION_STRING", "AccountKey=hunter2")]
    [InlineData("ALPHAVANTAGE_BASE_URL", "ftp://user:hunter2@example.com")]
    public void Secrets_are_never_repeated_in_a_problem(string name, string value)
    {
        var problem = Assert.Single(ProblemsWith((name, value)));
        Assert.DoesNotContain("hunter2", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_not_just_the_first()
    {
        var problems = ProblemsWith(("DATABASE_URL", "sqlite://x"), ("MAX_WATCHLIST", "x"), ("FINNHUB_API_KEY", ""));
        Assert.Equal(3, problems.Count);
        var thrown = Assert.Throws<SettingsException>(() => EnvironmentCheck.Validate(name => name == "MAX_WATCHLIST" ? "x" : null));
        Assert.Single(thrown.Problems);
    }

    [Fact]
    public async Task The_cli_stops_before_any_command_with_exit_code_2_and_one_line_per_problem()
    {
        var env = new Dictionary<string, string?> { ["DATABASE_URL"] = "mysql://u:p@h/db", ["ALPHAVANTAGE_API_KEY"] = " " };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code;
        using (PlatformEnvironment.Use(env))
        {
            code = await AiTraderApp.RunAsync(["calendar", "--from", "2024-01-02", "--to", "2024-01-03"], stdout, stderr);
        }

        Assert.Equal(2, code);
        Assert.Equal("", stdout.ToString());
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("error: ", l, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("error: ALPHAVANTAGE_API_KEY is set but empty", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("error: DATABASE_URL is a mysql:// URL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Help_still_works_with_a_broken_environment()
    {
        var stdout = new StringWriter();
        using (PlatformEnvironment.Use(new Dictionary<string, string?> { ["DATABASE_URL"] = "mysql://u:p@h/db" }))
        {
            Assert.Equal(0, await AiTraderApp.RunAsync(["--help"], stdout, new StringWriter()));
        }

        Assert.Contains("backtest", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_variable_the_code_reads_is_checked()
    {
        // Upper-case string literals with an underscore in src/ are environment variable names, except these vendor
        // API function names (Alpha Vantage's `function=` values).
        string[] notVariables = ["GLOBAL_QUOTE", "LISTING_STATUS", "TIME_SERIES_DAILY", "TIME_SERIES_DAILY_ADJUSTED", "TIME_SERIES_INTRADAY"];
        var read = Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => VariableLiteral().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .Except(notVariables)
            .ToHashSet(StringComparer.Ordinal);
        Assert.Contains("DATABASE_URL", read);
        var known = EnvironmentCheck.Variables.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(read.Except(known).Order(StringComparer.Ordinal));
        Assert.Empty(known.Except(read).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_env_example_lists_every_variable_and_passes_the_check()
    {
        var lines = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, ".env.example"));
        var listed = lines
            .Select(l => EnvLine().Match(l))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
        var known = EnvironmentCheck.Variables.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(known.Except(listed.Keys).Order(StringComparer.Ordinal));
        Assert.Empty(listed.Keys.Except(known).Order(StringComparer.Ordinal));

        // Copied to .env as it is, the uncommented lines must pass: an empty `KEY=` line would stop every command.
        var active = lines.Select(l => EnvLine().Match(l)).Where(m => m.Success && !m.Value.StartsWith('#'))
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
        Assert.NotEmpty(active);
        Assert.Empty(EnvironmentCheck.Problems(name => active.GetValueOrDefault(name)));
    }

    [GeneratedRegex("\"([A-Z][A-Z0-9]*_[A-Z0-9_]+)\"")]
    private static partial Regex VariableLiteral();

    [GeneratedRegex(@"^#?\s?([A-Z][A-Z0-9]*_[A-Z0-9_]+)=(.*)$")]
    private static partial Regex EnvLine();
}
