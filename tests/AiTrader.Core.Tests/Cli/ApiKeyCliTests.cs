using AiTrader.Core.Tests.Journal;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

/// <summary><c>aitrader apikey create|list|revoke</c> on the embedded SQLite store in a scratch data directory.</summary>
[Trait("Category", "Cli")]
[Collection(EnvironmentCollection.Name)]
public sealed class ApiKeyCliTests : IDisposable
{
    private readonly IsolatedStateDirectory _state = new();

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _state.Dispose();
    }

    [Fact]
    public async Task Create_prints_the_key_once_list_never_shows_it_and_revoke_removes_it()
    {
        var (code, output, err) = await CliRunner.Run("apikey", "create", "--name", "dashboard", "--role", "trader");
        Assert.True(code == 0, err);
        var key = output.Trim();
        Assert.Matches("^ait_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$", key);
        var id = key.Substring(4, 12);
        Assert.Contains($"created trader key {id} (dashboard)", err, StringComparison.Ordinal);
        Assert.Contains("shown only now", err, StringComparison.Ordinal);

        (code, output, err) = await CliRunner.Run("apikey", "list");
        Assert.True(code == 0, err);
        Assert.Contains(id, output, StringComparison.Ordinal);
        Assert.Contains("dashboard", output, StringComparison.Ordinal);
        Assert.Contains("trader", output, StringComparison.Ordinal);
        Assert.DoesNotContain(key[^43..], output, StringComparison.Ordinal);

        // The database file holds no trace of the secret.
        var db = File.ReadAllBytes(Path.Combine(_state.Path, "platform.db"));
        var wal = Path.Combine(_state.Path, "platform.db-wal");
        var bytes = File.Exists(wal) ? db.Concat(File.ReadAllBytes(wal)).ToArray() : db;
        Assert.DoesNotContain(key[^43..], System.Text.Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);

        (code, output, err) = await CliRunner.Run("apikey", "revoke", id);
        Assert.True(code == 0, err);
        Assert.Contains($"revoked {id}", output, StringComparison.Ordinal);

        (code, _, err) = await CliRunner.Run("apikey", "revoke", id);
        Assert.Equal(2, code);
        Assert.Contains($"no unrevoked API key with id '{id}'", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Piped_list_keeps_each_key_on_one_line_however_long_its_name()
    {
        using var columns = AiTrader.Application.PlatformEnvironment.Use(new Dictionary<string, string?> { ["COLUMNS"] = null });
        var (code, output, err) = await CliRunner.Run("apikey", "create", "--name", "tradingview-alerts-production-2027", "--role", "trader");
        Assert.True(code == 0, err);
        var id = output.Trim().Substring(4, 12);

        (code, output, err) = await CliRunner.Run("apikey", "list");

        Assert.True(code == 0, err);
        // The created time whole on the key's row (at 80 columns Spectre folded it onto a second line).
        Assert.Matches($@"│ {id} │ tradingview-alerts-production-2027 │ trader │ \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d │ +│", output);
    }

    [Fact]
    public async Task A_bad_role_or_a_missing_name_is_one_line_and_exit_code_2()
    {
        var (code, _, err) = await CliRunner.Run("apikey", "create", "--name", "x", "--role", "admin");
        Assert.Equal(2, code);
        Assert.Equal("error: --role 'admin' is not a role; use read or trader.", err.Trim());

        (code, _, err) = await CliRunner.Run("apikey", "create");
        Assert.Equal(2, code);
        Assert.Contains("--name", err, StringComparison.Ordinal);
        Assert.Single(err.Trim().Split('\n'));

        (code, var output, _) = await CliRunner.Run("apikey", "list");
        Assert.Equal(0, code);
        Assert.Contains("No API keys", output, StringComparison.Ordinal);
    }
}
