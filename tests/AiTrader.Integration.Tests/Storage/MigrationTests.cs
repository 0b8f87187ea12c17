using AiTrader.Core.Journal;
using AiTrader.Integration.Tests.Journal;
using AiTrader.Storage;
using AiTrader.Storage.Jobs;
using AiTrader.Storage.Security;
using AiTrader.Storage.Watchlists;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AiTrader.Integration.Tests.Storage;

/// <summary>Versioned schema steps on real SQLite files and a real PostgreSQL server: up from empty, again (nothing to do),
/// up from a journal created before the steps were versioned (rows, ids and the append-only rule kept), concurrent
/// starts, and a database newer than the build.</summary>
public sealed class MigrationTests
{
    [Fact]
    public async Task Sqlite_platform_database_migrates_up_from_empty_and_then_has_nothing_to_do()
    {
        using var dir = new TempDirectory();
        var first = await PlatformDatabase.MigrateAsync(null, dir.Path, CancellationToken.None);
        Assert.Equal(["journal", "api_keys", "jobs", "price_snapshots"], first.Select(r => r.Store));
        Assert.Equal([1, 2, 3], first[0].Applied.Select(s => s.Version));
        Assert.Equal([1, 2, 3, 4], first[1].Applied.Select(s => s.Version)); // api_keys v2: last_used_at, v3: request_windows, v4: dashboard_sessions
        Assert.All(first.Skip(2), r => Assert.Equal([1], r.Applied.Select(s => s.Version)));
        Assert.Equal([3, 4, 1, 1], first.Select(r => r.Version));

        var second = await PlatformDatabase.MigrateAsync(null, dir.Path, CancellationToken.None);
        Assert.All(second, r => Assert.Empty(r.Applied));

        // Recorded in each file's schema_migrations, one row per step.
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dir.Path, SqliteJournal.DefaultFileName)}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT store || ':' || version || ':' || description FROM schema_migrations ORDER BY version";
        var rows = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }
        }

        Assert.Equal(["journal:1:journal table, time index, append-only triggers", "journal:2:journal kind 'webhook'",
            "journal:3:views: orders, fills, guardrail_state"], rows);
        SqliteConnection.ClearAllPools();
    }

    [PostgresFact]
    public async Task Postgres_stores_migrate_up_from_empty_schemas_and_then_have_nothing_to_do()
    {
        var url = PostgresTestDatabase.RequireUrl();
        var schema = "migrate_test_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            IMigratingStore[] Open() =>
            [
                new PostgresJournal(url, schema), new PostgresApiKeyStore(url, schema), new PostgresJobStore(url, schema),
                new PostgresWatchlistStore(url, schema),
            ];

            var first = await MigrateAllAsync(Open());
            Assert.Equal(["journal", "api_keys", "jobs", "watchlists"], first.Select(r => r.Store));
            Assert.Equal([[1, 2, 3], [1, 2, 3, 4], [1], [1]], first.Select(r => r.Applied.Select(s => s.Version).ToArray()));
            Assert.DoesNotContain(first, r => r.Location.Contains("postgres:postgres", StringComparison.Ordinal)); // no password

            var second = await MigrateAllAsync(Open());
            Assert.All(second, r => Assert.Empty(r.Applied));
            Assert.Equal(9L, await ScalarAsync(url, $"SELECT count(*) FROM {schema}.schema_migrations"));
            Assert.Equal(4L, await ScalarAsync(url,
                $"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{schema}' AND table_name IN ('journal','api_keys','jobs','watchlists')"));

            // The default schemas too, as `aitrader db migrate` and the service's start run them (twice: idempotent).
            await PlatformDatabase.MigrateAsync(url, Path.GetTempPath(), CancellationToken.None);
            var again = await PlatformDatabase.MigrateAsync(url, Path.GetTempPath(), CancellationToken.None);
            Assert.Equal(["journal", "api_keys", "jobs", "price_snapshots", "watchlists"], again.Select(r => r.Store));
            Assert.All(again, r => Assert.Empty(r.Applied));
        }
        finally
        {
            await ScalarAsync(url, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task A_journal_from_before_versioned_steps_is_upgraded_with_its_rows_ids_and_append_only_rule(string backend)
    {
        await using var t = new JournalUnderTest(backend);
        var journal = (SqlJournal)t.Journal;
        // The schema as the store created it before steps were recorded: version 1's statements, no schema_migrations.
        var create = backend == "postgres" ? $"CREATE SCHEMA {t.Schema};\n" + journal.Migrations[0].Sql : journal.Migrations[0].Sql;
        await t.ExecuteRawAsync(create);
        await t.ExecuteRawAsync($"""
            INSERT INTO {t.Table} ("timestamp", kind, reason) VALUES ('2026-01-05T15:00:00.000000Z', 'decision', 'one');
            INSERT INTO {t.Table} ("timestamp", kind, reason) VALUES ('2026-01-05T15:01:00.000000Z', 'order', 'two');
            """);
        // Version 1 refuses the new kind.
        await Assert.ThrowsAnyAsync<Exception>(() =>
            t.ExecuteRawAsync($"INSERT INTO {t.Table} (\"timestamp\", kind, reason) VALUES ('2026-01-05T15:02:00.000000Z', 'webhook', 'x')"));

        var report = await journal.MigrateAsync();
        Assert.Equal([1, 2, 3], report.Applied.Select(s => s.Version));

        var before = await journal.QueryAsync(new JournalQuery());
        Assert.Equal(["one", "two"], before.Select(e => e.Reason));
        var appended = await journal.AppendAsync(JournalEntry.Create(new DateTime(2026, 1, 5, 15, 3, 0, DateTimeKind.Utc), JournalKind.Webhook, "refused: bad signature"));
        Assert.True(appended.Id > before[^1].Id, $"id {appended.Id} must follow {before[^1].Id}");
        Assert.Equal(JournalKind.Webhook, (await journal.QueryAsync(new JournalQuery()))[^1].Kind);
        await Assert.ThrowsAnyAsync<Exception>(() => t.ExecuteRawAsync($"UPDATE {t.Table} SET reason = 'changed'"));
        await Assert.ThrowsAnyAsync<Exception>(() => t.ExecuteRawAsync($"DELETE FROM {t.Table}"));
    }

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task Orders_fills_positions_and_guardrail_state_read_as_views_over_the_journal(string backend)
    {
        await using var t = new JournalUnderTest(backend);
        var at = new DateTime(2026, 1, 5, 15, 0, 0, DateTimeKind.Utc);
        var spy = new AiTrader.Core.Domain.Symbol("SPY");
        JournalEntry Entry(JournalKind kind, string key, AiTrader.Core.Domain.OrderSide? side = null, decimal? quantity = null, string? data = null) =>
            new(0, at, kind, spy, side, quantity, 100.25m, "o-1", "c-1", kind.ToString(), data, key);
        await t.Journal.AppendAsync(Entry(JournalKind.Order, "run1:order:c-1", AiTrader.Core.Domain.OrderSide.Buy, 10m));
        await t.Journal.AppendAsync(Entry(JournalKind.Fill, "run1:fill:c-1:a", AiTrader.Core.Domain.OrderSide.Buy, 10.5m));
        await t.Journal.AppendAsync(Entry(JournalKind.Fill, "run1:fill:c-2:a", AiTrader.Core.Domain.OrderSide.Sell, 4.25m));
        await t.Journal.AppendAsync(Entry(JournalKind.Fill, "run2:fill:c-9:a", AiTrader.Core.Domain.OrderSide.Buy, 1m));
        await t.Journal.AppendAsync(Entry(JournalKind.Decision, "run1:guardrails:1", data: """{"guardrails":{"kill_switch":false}}"""));
        await t.Journal.AppendAsync(Entry(JournalKind.Decision, "run1:guardrails:2", data: """{"guardrails":{"kill_switch":true}}"""));

        var prefix = backend == "postgres" ? t.Schema + "." : "";
        Assert.Equal(1L, Convert.ToInt64(await t.ScalarRawAsync($"SELECT count(*) FROM {prefix}orders WHERE run_id = 'run1'")));
        Assert.Equal(2L, Convert.ToInt64(await t.ScalarRawAsync($"SELECT count(*) FROM {prefix}fills WHERE run_id = 'run1'")));
        var state = (string)(await t.ScalarRawAsync($"SELECT CAST(state AS TEXT) FROM {prefix}guardrail_state WHERE run_id = 'run1'"))!;
        Assert.Contains("true", state, StringComparison.Ordinal);
        if (backend == "postgres")
        {
            // Exact: 10.5 bought, 4.25 sold.
            Assert.Equal(6.25m, (decimal)(await t.ScalarRawAsync($"SELECT quantity FROM {prefix}positions WHERE run_id = 'run1' AND symbol = 'SPY'"))!);
        }
    }

    [PostgresFact]
    public async Task Processes_starting_together_apply_each_step_once()
    {
        var url = PostgresTestDatabase.RequireUrl();
        var schema = "migrate_race_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            var stores = Enumerable.Range(0, 6).Select(_ => new PostgresJournal(url, schema)).ToList();
            var reports = await Task.WhenAll(stores.Select(s => s.MigrateAsync()));
            Assert.Equal(3, reports.Sum(r => r.Applied.Count));
            Assert.Equal(3L, await ScalarAsync(url, $"SELECT count(*) FROM {schema}.schema_migrations"));
            foreach (var s in stores)
            {
                await s.DisposeAsync();
            }
        }
        finally
        {
            await ScalarAsync(url, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    [Fact]
    public async Task A_database_newer_than_the_build_is_refused_with_the_fix()
    {
        using var dir = new TempDirectory();
        await using (var jobs = SqliteJobStore.InDataDirectory(dir.Path))
        {
            await jobs.MigrateAsync();
        }

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(dir.Path, SqliteApiKeyStore.DefaultFileName)}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_migrations VALUES ('jobs', 7, 'from a later build', '2030-01-01T00:00:00.000000Z')";
            await command.ExecuteNonQueryAsync();
        }

        await using var store = SqliteJobStore.InDataDirectory(dir.Path);
        var error = await Assert.ThrowsAsync<SchemaNewerThanBuildException>(() => store.MigrateAsync());
        Assert.Contains("schema version 7 of the jobs store, newer than this build knows (1); update AI Trader", error.Message, StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
    }

    private static async Task<List<MigrationReport>> MigrateAllAsync(IMigratingStore[] stores)
    {
        var reports = new List<MigrationReport>();
        foreach (var store in stores)
        {
            await using (store)
            {
                reports.Add(await store.MigrateAsync());
            }
        }

        return reports;
    }

    private static async Task<object?> ScalarAsync(string url, string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString.FromDatabaseUrl(url));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
