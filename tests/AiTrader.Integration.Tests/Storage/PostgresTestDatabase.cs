using System.Reflection;
using Xunit.Sdk;

namespace AiTrader.Integration.Tests.Storage;

/// <summary>The real PostgreSQL server the tests use: AITRADER_TEST_DATABASE_URL, which CI's .ci/run always sets.</summary>
internal static class PostgresTestDatabase
{
    public const string Variable = "AITRADER_TEST_DATABASE_URL";

    public static string? Url => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } url ? url : null;

    /// <summary>Outside CI a missing server skips the test; in CI it must fail, so CI can never go green without one.</summary>
    public static string? SkipReason =>
        Url is null && !IsCi
            ? $"{Variable} is not set; start PostgreSQL with `bash .ci/postgres.sh` and export its URL to run this test."
            : null;

    public static string RequireUrl() => Url ?? throw new InvalidOperationException(
        $"{Variable} is not set but CI=true: .ci/run must start PostgreSQL (.ci/postgres.sh) and export {Variable}.");

    /// <summary>A database of its own on the test server, dropped on dispose: for tests that need the platform's fixed
    /// schemas (trading, platform, ...) to themselves, or that take the database away.</summary>
    public static async Task<ScratchDatabase> CreateScratchAsync(string prefix)
    {
        var server = RequireUrl();
        var name = $"{prefix}_{Guid.NewGuid().ToString("N")[..12]}";
        await ScratchDatabase.AdminAsync(server, $"CREATE DATABASE {name}");
        return new ScratchDatabase(server, name, new UriBuilder(server) { Path = "/" + name }.Uri.ToString());
    }

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A database of its own on the test server (<see cref="PostgresTestDatabase.CreateScratchAsync"/>).</summary>
internal sealed class ScratchDatabase(string server, string name, string url) : IAsyncDisposable
{
    /// <summary>The database's name.</summary>
    public string Name { get; } = name;

    /// <summary>Its DATABASE_URL.</summary>
    public string Url { get; } = url;

    /// <summary>Runs <paramref name="sql"/> on the server's own database (as its administrator would).</summary>
    public Task AdminAsync(string sql) => AdminAsync(server, sql);

    internal static async Task AdminAsync(string url, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(AiTrader.Storage.PostgresConnectionString.FromDatabaseUrl(url));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
    }
}

/// <summary>A theory that needs the test PostgreSQL server; skipped without one outside CI.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (PostgresTestDatabase.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A fact that needs the test PostgreSQL server; skipped without one outside CI.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresTestDatabase.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>Theory data row <c>"postgres"</c>; skipped without a test server outside CI.</summary>
public sealed class PostgresDataAttribute : DataAttribute
{
    public PostgresDataAttribute()
    {
        if (PostgresTestDatabase.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [["postgres"]];
}
