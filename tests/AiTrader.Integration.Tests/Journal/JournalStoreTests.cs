using AiTrader.Core.Domain;
using AiTrader.Core.Journal;
using AiTrader.Core.Risk;
using AiTrader.Core.Sessions;
using AiTrader.Integration.Tests.Storage;
using AiTrader.Storage;

namespace AiTrader.Integration.Tests.Journal;

public sealed class JournalStoreTests
{
    private static DateTime Ny(int month, int day, int hour, int minute = 0) =>
        ExchangeTime.ToUtc(new DateOnly(2024, month, day), new TimeOnly(hour, minute));

    private static readonly JournalEntry Order = new(0, Ny(7, 3, 9, 45).AddTicks(1234560), JournalKind.Order, "SPY", OrderSide.Buy,
        10m, 545.25m, "o-1", "SPY-20240703-1", "breakout: close 545.25 > 55-bar high 544.80", """{"order_type":"market","stop_price":540.00}""",
        "order:SPY-20240703-1");

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task Appends_and_queries_by_new_york_date_kind_and_symbol(string backend)
    {
        await using var t = new JournalUnderTest(backend);
        var journal = t.Journal;
        Assert.Empty(await journal.QueryAsync(JournalQuery.All));

        var stored = await journal.AppendAsync(Order with { Id = 99 });
        Assert.True(stored.Id > 0);
        var afterHours = await journal.AppendAsync(new JournalEntry(0, new DateTime(2024, 7, 4, 0, 30, 0, DateTimeKind.Utc), JournalKind.Fill,
            "SPY", OrderSide.Sell, 10m, 546.10m, "o-2", null, "exit, \"after hours\"", null));
        var nextDay = await journal.AppendAsync(JournalEntry.Create(Ny(7, 5, 10), JournalKind.Block, "rate: 6 orders in 60 s > 5", "QQQ"));
        var summary = await journal.AppendAsync(JournalEntry.Create(Ny(7, 3, 16, 30), JournalKind.Summary, "2024-07-03: orders 1"));
        Assert.True(stored.Id < afterHours.Id && afterHours.Id < nextDay.Id && nextDay.Id < summary.Id);

        var all = await journal.QueryAsync(JournalQuery.All);
        Assert.Equal([stored, afterHours, nextDay, summary], all); // every field round-trips exactly, in append order
        Assert.Equal(stored with { Id = 0 }, Order with { Id = 0 });
        Assert.Equal(DateTimeKind.Utc, all[0].Timestamp.Kind);
        Assert.Equal("545.25", all[0].Price!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));

        // 00:30Z on the 4th is 20:30 on the 3rd in New York.
        Assert.Equal([stored.Id, afterHours.Id, summary.Id], (await journal.QueryAsync(new JournalQuery(Date: new DateOnly(2024, 7, 3)))).Select(e => e.Id));
        Assert.Empty(await journal.QueryAsync(new JournalQuery(Date: new DateOnly(2024, 7, 4))));
        Assert.Equal([nextDay.Id], (await journal.QueryAsync(new JournalQuery(Kind: JournalKind.Block))).Select(e => e.Id));
        Assert.Equal([stored.Id, afterHours.Id], (await journal.QueryAsync(new JournalQuery(Symbol: new Symbol("SPY")))).Select(e => e.Id));
        Assert.Equal([afterHours.Id], (await journal.QueryAsync(new JournalQuery(new DateOnly(2024, 7, 3), JournalKind.Fill, "SPY"))).Select(e => e.Id));
    }

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task The_store_itself_rejects_update_and_delete(string backend)
    {
        await using var t = new JournalUnderTest(backend);
        var stored = await t.Journal.AppendAsync(Order);

        var update = await Assert.ThrowsAnyAsync<Exception>(() => t.ExecuteRawAsync($"UPDATE {t.Table} SET reason = 'rewritten' WHERE id = {stored.Id}"));
        Assert.Contains("append-only", update.Message);
        var delete = await Assert.ThrowsAnyAsync<Exception>(() => t.ExecuteRawAsync($"DELETE FROM {t.Table}"));
        Assert.Contains("append-only", delete.Message);
        if (backend == "postgres")
        {
            var truncate = await Assert.ThrowsAnyAsync<Exception>(() => t.ExecuteRawAsync($"TRUNCATE {t.Table}"));
            Assert.Contains("append-only", truncate.Message);
        }

        Assert.Equal([stored], await t.Journal.QueryAsync(JournalQuery.All));
    }

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task An_event_key_makes_append_idempotent(string backend)
    {
        await using var t = new JournalUnderTest(backend);
        var fill = new JournalEntry(0, Ny(7, 3, 10), JournalKind.Fill, "SPY", OrderSide.Buy, 4m, 545.30m, "o-1", "c-1", "",
            """{"fee":0.02}""", "fill:exec-123");

        var first = await t.Journal.AppendAsync(fill);
        // A restarted loop re-emits the same fill, even with a different clock reading: the first write wins.
        var again = await t.Journal.AppendAsync(fill with { Timestamp = fill.Timestamp.AddSeconds(3) });
        Assert.Equal(first, again);
        Assert.Equal(first, await t.Journal.FindByEventKeyAsync("fill:exec-123"));
        Assert.Null(await t.Journal.FindByEventKeyAsync("fill:exec-999"));

        // Entries without a key are never deduplicated.
        await t.Journal.AppendAsync(fill with { EventKey = null });
        await t.Journal.AppendAsync(fill with { EventKey = null });
        Assert.Equal(3, (await t.Journal.QueryAsync(JournalQuery.All)).Count);
    }

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task The_agent_journals_a_replayed_day_and_survives_a_restart_without_duplicates(string backend)
    {
        await using var t = new JournalUnderTest(backend);
        var day = new DateOnly(2024, 7, 3);

        async Task RunSession(int upToStep)
        {
            var agent = new JournalingAgent(t.Journal);
            var order = new Core.Domain.Order("o-1", "SPY", OrderSide.Buy, 10m, OrderType.Market, Ny(7, 3, 10), Reason: "breakout");
            var exit = new Core.Domain.Order("o-2", "SPY", OrderSide.Sell, 10m, OrderType.Market, Ny(7, 3, 15), Reason: "flatten");
            var steps = new List<Func<Task>>
            {
                () => agent.RecordOrderAsync(order, "c-1"),
                () => agent.RecordFillAsync(new Fill("o-1", "SPY", OrderSide.Buy, 10m, 100m, 1m, Ny(7, 3, 10, 1)), "c-1"),
                async () => await agent.RecordEvaluationAsync(new GuardrailSet([new ExposureCap(0.05m, 1m)]).Evaluate(
                    new OrderCheck("AAPL", OrderSide.Buy, 100m, 200m, true, AccountSnapshot.CashOnly(20_000m), Ny(7, 3, 11)))),
                () => agent.RecordOrderAsync(exit, "c-2"),
                () => agent.RecordFillAsync(new Fill("o-2", "SPY", OrderSide.Sell, 10m, 103m, 1m, Ny(7, 3, 15, 1)), "c-2"),
                () => agent.RecordSummaryAsync(day, Ny(7, 3, 16, 30)),
            };
            foreach (var step in steps.Take(upToStep))
            {
                await step();
            }
        }

        await RunSession(upToStep: 4); // killed after the exit order went out
        await RunSession(upToStep: 6); // restarted: replays every step, journals only what is new

        var entries = await t.Journal.QueryAsync(new JournalQuery(Date: day));
        Assert.Equal(
            [JournalKind.Order, JournalKind.Fill, JournalKind.Block, JournalKind.Order, JournalKind.Fill, JournalKind.Summary],
            entries.Select(e => e.Kind));
        Assert.StartsWith("exposure:", entries[2].Reason);
        Assert.Equal("2024-07-03: orders 2, fills 2, cancels 0, rejects 0, realized $30.00, fees $2.00, blocks 1 (exposure 1), day trades 1",
            entries[5].Reason);
    }

    [Fact]
    public async Task Factory_uses_journal_db_in_the_data_directory_without_a_database_url()
    {
        using var dir = new TempDirectory();
        await using var journal = JournalFactory.CreateFromEnvironment(name => name == "AITRADER_DATA_DIR" ? dir.Path : null);
        var sqlite = Assert.IsType<SqliteJournal>(journal);
        Assert.Equal(Path.Combine(dir.Path, "journal.db"), sqlite.DatabasePath);
        Assert.Empty(await journal.QueryAsync(JournalQuery.All));
        Assert.False(File.Exists(sqlite.DatabasePath), "a read must not create the database");
        await journal.AppendAsync(JournalEntry.Create(DateTime.UtcNow, JournalKind.Decision, "hello"));
        Assert.True(File.Exists(sqlite.DatabasePath));
    }

    [Fact]
    public async Task Factory_uses_postgres_when_a_database_url_is_set_and_never_shows_the_password()
    {
        await using var journal = JournalFactory.Create("postgres://trader:s3cr%40t@db.example:6543/aitrader", "unused");
        Assert.IsType<PostgresJournal>(journal);
        Assert.Equal("PostgreSQL db.example:6543/aitrader (trading.journal)", journal.ToString());
        Assert.Throws<ArgumentException>(() => new PostgresJournal("postgres://u@h/db", "bad;schema"));
    }

    [PostgresFact]
    public async Task Postgres_journal_lives_in_the_trading_schema()
    {
        await using var journal = new PostgresJournal(PostgresTestDatabase.RequireUrl());
        await journal.QueryAsync(new JournalQuery(Kind: JournalKind.Summary, Symbol: new Symbol("ZZZZ-NONE")));

        await using var connection = new Npgsql.NpgsqlConnection(PostgresConnectionString.FromDatabaseUrl(PostgresTestDatabase.RequireUrl()));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_schema = 'trading' and table_name = 'journal'",
            connection);
        Assert.Equal("id,timestamp,kind,symbol,side,quantity,price,order_id,client_order_id,reason,data,event_key", await command.ExecuteScalarAsync());
    }
}
