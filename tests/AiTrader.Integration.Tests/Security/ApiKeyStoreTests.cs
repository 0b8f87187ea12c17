using System.Data.Common;
using AiTrader.Integration.Tests.Storage;
using AiTrader.Storage;
using AiTrader.Storage.Security;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AiTrader.Integration.Tests.Security;

/// <summary>The service's API keys on both backends: only hashes are stored, revoked or altered keys are refused.</summary>
public sealed class ApiKeyStoreTests
{
    private sealed class StoreUnderTest : IAsyncDisposable
    {
        private readonly TempDirectory _dir = new();
        private readonly string _schema = "apikeys_test_" + Guid.NewGuid().ToString("N")[..12];

        public StoreUnderTest(string backend)
        {
            Backend = backend;
            Store = backend == "postgres"
                ? new PostgresApiKeyStore(PostgresTestDatabase.RequireUrl(), _schema)
                : ApiKeyStoreFactory.Create(null, _dir.Path);
        }

        public string Backend { get; }

        public IApiKeyStore Store { get; }

        /// <summary>Every stored cell of the table as text, read past the store as a psql/sqlite3 user would.</summary>
        public async Task<string> DumpAsync()
        {
            await using var connection = await RawSql.OpenAsync(Backend, SqlitePath);
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {(Backend == "postgres" ? _schema + ".api_keys" : "api_keys")}";
            await using var reader = await command.ExecuteReaderAsync();
            var cells = new List<string>();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    cells.Add(reader.IsDBNull(i) ? "" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!);
                }
            }

            return string.Join("|", cells);
        }

        /// <summary>Runs <paramref name="sql"/> past the store, as an older build would have.</summary>
        public Task ExecuteAsync(string sql) => RawSql.ExecuteAsync(Backend, SqlitePath, sql);

        private string SqlitePath => Backend == "postgres" ? "" : ((SqliteApiKeyStore)Store).DatabasePath;

        /// <summary>The table's name as SQL writes it.</summary>
        public string Table(string name) => Backend == "postgres" ? $"{_schema}.{name}" : name;

        public string Schema => _schema;

        public async ValueTask DisposeAsync()
        {
            await Store.DisposeAsync();
            if (Backend == "postgres")
            {
                await using var connection = new NpgsqlConnection(PostgresConnectionString.FromDatabaseUrl(PostgresTestDatabase.RequireUrl()));
                await connection.OpenAsync();
                await using var drop = connection.CreateCommand();
                drop.CommandText = $"DROP SCHEMA IF EXISTS {_schema} CASCADE";
                await drop.ExecuteNonQueryAsync();
            }

            SqliteConnection.ClearAllPools();
            _dir.Dispose();
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task Keys_are_stored_hashed_verified_by_role_and_refused_once_revoked(string backend)
    {
        await using var t = new StoreUnderTest(backend);
        Assert.Empty(await t.Store.ListAsync());
        Assert.Null(await t.Store.VerifyAsync("ait_000000000000_" + new string('A', 43)));

        var (reader, readerKey) = await t.Store.CreateAsync("dashboard", ApiKeyRole.ReadOnly);
        var (trader, traderKey) = await t.Store.CreateAsync("tradingview", ApiKeyRole.Trader);
        Assert.Matches("^ait_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$", readerKey);
        Assert.NotEqual(readerKey, traderKey);

        Assert.Equal(reader, await t.Store.VerifyAsync(readerKey));
        Assert.Equal(ApiKeyRole.Trader, (await t.Store.VerifyAsync(traderKey))!.Role);
        Assert.Equal([reader, trader], await t.Store.ListAsync());

        // The store holds the SHA-256 of each key (computed here independently) and never the key or its secret part.
        var dump = await t.DumpAsync();
        Assert.DoesNotContain(readerKey, dump, StringComparison.Ordinal);
        Assert.DoesNotContain(readerKey[^43..], dump, StringComparison.Ordinal);
        Assert.DoesNotContain(traderKey[^43..], dump, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(readerKey))), dump,
            StringComparison.Ordinal);

        // One character changed in the secret, a key of another id, junk and nothing: all refused.
        var altered = readerKey[..^1] + (readerKey[^1] == 'A' ? 'B' : 'A');
        Assert.Null(await t.Store.VerifyAsync(altered));
        Assert.Null(await t.Store.VerifyAsync(traderKey[..16] + readerKey[16..]));
        Assert.Null(await t.Store.VerifyAsync("Bearer " + readerKey));
        Assert.Null(await t.Store.VerifyAsync(""));
        Assert.Null(await t.Store.VerifyAsync(null));

        Assert.True(await t.Store.RevokeAsync(reader.Id));
        Assert.False(await t.Store.RevokeAsync(reader.Id)); // already revoked
        Assert.False(await t.Store.RevokeAsync("ffffffffffff"));
        Assert.Null(await t.Store.VerifyAsync(readerKey));
        Assert.NotNull(await t.Store.VerifyAsync(traderKey));
        var listed = await t.Store.ListAsync();
        Assert.True(listed[0].IsRevoked);
        Assert.False(listed[1].IsRevoked);
    }

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task A_keys_last_use_is_recorded_only_forward_in_time_and_listed(string backend)
    {
        await using var t = new StoreUnderTest(backend);
        var (reader, readerKey) = await t.Store.CreateAsync("dashboard", ApiKeyRole.ReadOnly);
        var (trader, _) = await t.Store.CreateAsync("tradingview", ApiKeyRole.Trader);
        Assert.Null(reader.LastUsedUtc);
        Assert.All(await t.Store.ListAsync(), k => Assert.Null(k.LastUsedUtc));

        var first = new DateTime(2026, 12, 7, 15, 0, 1, 250, DateTimeKind.Utc);
        Assert.True(await t.Store.RecordUseAsync(reader.Id, first));
        Assert.Equal([first, null], (await t.Store.ListAsync()).Select(k => k.LastUsedUtc));
        Assert.Equal(first, (await t.Store.VerifyAsync(readerKey))!.LastUsedUtc);

        // A late write of an earlier use (another request that was slower) leaves the later time.
        Assert.True(await t.Store.RecordUseAsync(reader.Id, first.AddSeconds(-30)));
        Assert.Equal(first, (await t.Store.ListAsync())[0].LastUsedUtc);
        Assert.True(await t.Store.RecordUseAsync(reader.Id, first.AddMinutes(2)));
        Assert.True(await t.Store.RecordUseAsync(trader.Id, first.AddMinutes(1)));
        Assert.Equal([first.AddMinutes(2), first.AddMinutes(1)], (await t.Store.ListAsync()).Select(k => k.LastUsedUtc));
        Assert.False(await t.Store.RecordUseAsync("ffffffffffff", first));
    }

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task A_key_table_of_an_older_build_gains_the_last_use_and_keeps_its_keys(string backend)
    {
        await using var t = new StoreUnderTest(backend);
        var v1 = ((SqlApiKeyStore)t.Store).Migrations[0];
        Assert.Equal(1, v1.Version);
        // The table as version 1 made it, with a key in it.
        var created = backend == "postgres" ? "'2026-01-02T03:04:05Z'" : "'2026-01-02T03:04:05.000000Z'";
        await t.ExecuteAsync((backend == "postgres" ? $"CREATE SCHEMA {t.Schema}; " : "") + $"""
            CREATE TABLE {t.Table("schema_migrations")} (store TEXT NOT NULL, version INTEGER NOT NULL, description TEXT NOT NULL, applied_at {(backend == "postgres" ? "timestamptz" : "TEXT")} NOT NULL, PRIMARY KEY (store, version));
            INSERT INTO {t.Table("schema_migrations")} VALUES ('api_keys', 1, 'api_keys table', '2026-01-02T03:04:05Z');
            {v1.Sql}
            INSERT INTO {t.Table("api_keys")} (id, name, role, key_sha256, created_at) VALUES ('0123456789ab', 'old', 'read', '{new string('0', 64)}', {created});
            """);

        var report = await ((AiTrader.Storage.IMigratingStore)t.Store).MigrateAsync();
        Assert.Equal([2, 3, 4], report.Applied.Select(s => s.Version));
        var old = Assert.Single(await t.Store.ListAsync());
        Assert.Equal(("0123456789ab", "old", (DateTime?)null), (old.Id, old.Name, old.LastUsedUtc));
        Assert.Equal(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), old.CreatedUtc);
        Assert.True(await t.Store.RecordUseAsync(old.Id, new DateTime(2026, 12, 7, 15, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(new DateTime(2026, 12, 7, 15, 0, 0, DateTimeKind.Utc), (await t.Store.ListAsync())[0].LastUsedUtc);
    }

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task Request_leases_never_pass_the_limit_of_a_window_and_earlier_windows_can_be_forgotten(string backend)
    {
        await using var t = new StoreUnderTest(backend);
        var window = new DateTime(2026, 12, 7, 15, 0, 0, DateTimeKind.Utc);
        var next = window.AddMinutes(1);
        // Ten a window: leases of four get 4, 4, then the 2 left, then none.
        Assert.Equal(4, await t.Store.LeaseRequestsAsync("key:a", window, 4, 10, forgetEarlier: false));
        Assert.Equal(4, await t.Store.LeaseRequestsAsync("key:a", window, 4, 10, forgetEarlier: false));
        Assert.Equal(2, await t.Store.LeaseRequestsAsync("key:a", window, 4, 10, forgetEarlier: false));
        Assert.Equal(0, await t.Store.LeaseRequestsAsync("key:a", window, 4, 10, forgetEarlier: false));
        // Another partition, and the next window, have their own ten.
        Assert.Equal(3, await t.Store.LeaseRequestsAsync("ip:127.0.0.1", window, 3, 10, forgetEarlier: false));
        Assert.Equal(10, await t.Store.LeaseRequestsAsync("key:a", next, 20, 10, forgetEarlier: false));
        Assert.Equal(0, await t.Store.LeaseRequestsAsync("key:a", next, 1, 10, forgetEarlier: false));

        // Twenty leases of one from four callers at once: exactly ten are granted.
        var racing = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var got = 0;
            for (var i = 0; i < 5; i++)
            {
                got += await t.Store.LeaseRequestsAsync("key:race", window, 1, 10, forgetEarlier: false);
            }

            return got;
        })));
        Assert.Equal(10, racing.Sum());

        await using (var connection = await RawSql.OpenAsync(t.Backend, t.Backend == "postgres" ? "" : ((SqliteApiKeyStore)t.Store).DatabasePath))
        {
            Assert.Equal(4, await CountAsync(connection, t.Table("request_windows")));
        }

        Assert.Equal(1, await t.Store.LeaseRequestsAsync("key:b", next, 1, 10, forgetEarlier: true));
        await using (var connection = await RawSql.OpenAsync(t.Backend, t.Backend == "postgres" ? "" : ((SqliteApiKeyStore)t.Store).DatabasePath))
        {
            Assert.Equal(2, await CountAsync(connection, t.Table("request_windows"))); // key:a and key:b of the next window
        }

        static async Task<long> CountAsync(DbConnection connection, string table)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = $"SELECT COUNT(*) FROM {table}";
            return Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task A_use_within_the_span_of_the_last_one_recorded_is_not_written_again(string backend)
    {
        await using var t = new StoreUnderTest(backend);
        var (key, _) = await t.Store.CreateAsync("busy", ApiKeyRole.ReadOnly);
        var first = new DateTime(2026, 12, 7, 15, 0, 0, DateTimeKind.Utc);
        var minute = TimeSpan.FromMinutes(1);
        Assert.True(await t.Store.RecordUseAsync(key.Id, first, minute));
        // Another service, 40 s later: within the minute, left as it was; 61 s after the first, written.
        Assert.True(await t.Store.RecordUseAsync(key.Id, first.AddSeconds(40), minute));
        Assert.Equal(first, (await t.Store.ListAsync())[0].LastUsedUtc);
        Assert.True(await t.Store.RecordUseAsync(key.Id, first.AddSeconds(61), minute));
        Assert.Equal(first.AddSeconds(61), (await t.Store.ListAsync())[0].LastUsedUtc);
    }

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task Dashboard_sessions_are_kept_under_the_hash_of_their_token_until_they_expire_or_end(string backend)
    {
        await using var t = new StoreUnderTest(backend);
        var sessions = (IDashboardSessionStore)t.Store;
        var now = new DateTime(2026, 12, 5, 12, 0, 0, DateTimeKind.Utc);
        var token = new string('a', 64);
        await sessions.StoreAsync(token, "0123456789ab", [1, 2, 3], now.AddHours(8));
        await sessions.StoreAsync("short-lived", "0123456789ab", [9], now.AddMinutes(1));

        Assert.Equal(new byte[] { 1, 2, 3 }, await sessions.RetrieveAsync(token, now));
        Assert.Null(await sessions.RetrieveAsync("unknown", now));
        // Stored as the SHA-256 of the token (lower-case hex), never the token.
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
        var cells = await DumpAsync(t, "dashboard_sessions");
        Assert.Contains(hash, cells, StringComparison.Ordinal);
        Assert.DoesNotContain(token + "|", cells, StringComparison.Ordinal);

        // Renewed: a new ticket and a later expiry; an expired session is gone when asked for, and swept.
        await sessions.RenewAsync(token, [4, 5], now.AddHours(16));
        Assert.Equal(new byte[] { 4, 5 }, await sessions.RetrieveAsync(token, now.AddHours(12)));
        Assert.Null(await sessions.RetrieveAsync("short-lived", now.AddMinutes(1)));
        await sessions.StoreAsync("also-short", "0123456789ab", [7], now.AddMinutes(2));
        Assert.Equal(1, await sessions.RemoveExpiredAsync(now.AddMinutes(3)));

        // Renewing a session that ended does not bring it back; signing out ends it.
        await sessions.RenewAsync("short-lived", [8], now.AddHours(8));
        Assert.Null(await sessions.RetrieveAsync("short-lived", now));
        await sessions.RemoveAsync(token);
        Assert.Null(await sessions.RetrieveAsync(token, now));
        Assert.Equal("", await DumpAsync(t, "dashboard_sessions"));
    }

    private static async Task<string> DumpAsync(StoreUnderTest t, string table)
    {
        await using var connection = await RawSql.OpenAsync(t.Backend, t.Backend == "postgres" ? "" : ((SqliteApiKeyStore)t.Store).DatabasePath);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT token_sha256, key_id FROM {t.Table(table)}";
        await using var reader = await command.ExecuteReaderAsync();
        var cells = new List<string>();
        while (await reader.ReadAsync())
        {
            cells.Add($"{reader.GetString(0)}|{reader.GetString(1)}");
        }

        return string.Join("\n", cells);
    }

    [Fact]
    public async Task A_name_that_is_empty_or_too_long_is_refused_naming_the_rule()
    {
        await using var t = new StoreUnderTest("sqlite");
        var error = await Assert.ThrowsAsync<ArgumentException>(() => t.Store.CreateAsync("  ", ApiKeyRole.ReadOnly));
        Assert.Contains("1 to 100 printable characters", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => t.Store.CreateAsync(new string('x', 101), ApiKeyRole.ReadOnly));
        Assert.Empty(await t.Store.ListAsync());
    }
}
