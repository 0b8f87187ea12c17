using AiTrader.Core.Tests.Journal;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

/// <summary><c>aitrader db migrate</c> on the embedded SQLite files in a scratch data directory.</summary>
[Trait("Category", "Cli")]
[Collection(EnvironmentCollection.Name)]
public sealed class DbMigrateCliTests : IDisposable
{
    private readonly IsolatedStateDirectory _state = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _state.Dispose();
    }

    [Fact]
    public async Task Migrate_applies_every_step_once_then_reports_every_store_up_to_date()
    {
        var (code, output, err) = await CliRunner.Run("db", "migrate");
        Assert.True(code == 0, err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("journal          v3  applied 1 journal table", lines[0], StringComparison.Ordinal);
        Assert.Contains("; 2 journal kind 'webhook'; 3 views: orders, fills, guardrail_state", lines[0], StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_state.Path, "journal.db"), lines[0], StringComparison.Ordinal);
        Assert.StartsWith("api_keys         v4  applied 1 api_keys table; 2 api_keys.last_used_at; 3 request_windows table (the rate limit shared by the services on this database); 4 dashboard_sessions table", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("jobs             v1  applied 1 jobs table", lines[2], StringComparison.Ordinal);
        Assert.StartsWith("price_snapshots  v1  applied 1 price_snapshots table", lines[3], StringComparison.Ordinal);
        Assert.Equal("applied 9 schema step(s)", lines[^1]);

        (code, output, err) = await CliRunner.Run("db", "migrate");
        Assert.True(code == 0, err);
        Assert.Equal(4, output.Split('\n').Count(l => l.Contains("  up to date  (", StringComparison.Ordinal)));
        Assert.EndsWith("every store is up to date", output.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_newer_than_the_build_stops_migrate_and_serve_with_one_line_and_exit_2()
    {
        var (code, _, err) = await CliRunner.Run("db", "migrate");
        Assert.True(code == 0, err);
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_state.Path, "platform.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_migrations VALUES ('jobs', 2, 'from a later build', '2030-01-01T00:00:00.000000Z')";
            await command.ExecuteNonQueryAsync();
        }

        const string Expected = "is at schema version 2 of the jobs store, newer than this build knows (1); update AI Trader.";
        (code, _, err) = await CliRunner.Run("db", "migrate");
        Assert.Equal(2, code);
        Assert.Contains(Expected, err, StringComparison.Ordinal);

        // The service refuses it before it listens, as a setting it cannot use (exit 2: its systemd unit does not restart
        // on it), not as an unexpected failure (exit 1, restarted every few seconds to fail again).
        (code, _, err) = await CliRunner.Run("serve", "--urls", "http://127.0.0.1:0");
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(Expected, err, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected failure", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_database_is_one_line_naming_DATABASE_URL_and_exit_75_retry_later()
    {
        // Restored by the isolated state directory on dispose.
        Environment.SetEnvironmentVariable("DATABASE_URL", "postgres://nobody:secret@127.0.0.1:9/none");
        var (code, output, err) = await CliRunner.Run("db", "migrate");
        Assert.Equal(75, code);
        Assert.Equal("", output);
        Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith("error: the database cannot be reached (", err, StringComparison.Ordinal);
        Assert.EndsWith("; check that it runs and that DATABASE_URL points at it; a temporary failure upstream, retry later.", err.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret", err, StringComparison.Ordinal);
    }
}
