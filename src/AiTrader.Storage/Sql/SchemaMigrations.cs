using System.Data.Common;
using System.Globalization;

namespace AiTrader.Storage;

/// <summary>One numbered step of a store's schema. Append only: an applied step is never edited; a change is a new step.</summary>
/// <param name="Version">1, 2, 3, ... in the order the steps run.</param>
/// <param name="Description">What the step does, recorded with it.</param>
/// <param name="Sql">The statements, run inside the migration's transaction.</param>
public sealed record SchemaStep(int Version, string Description, string Sql);

/// <summary>What a migration run found and did for one store.</summary>
/// <param name="Store">The store's name (<c>journal</c>, <c>jobs</c>, ...).</param>
/// <param name="Location">Where it lives (a SQLite file, or a PostgreSQL endpoint and schema; never a password).</param>
/// <param name="Version">The schema version after the run.</param>
/// <param name="Applied">The steps this run applied, in order; empty when the schema was up to date.</param>
public sealed record MigrationReport(string Store, string Location, int Version, IReadOnlyList<SchemaStep> Applied);

/// <summary>A store's schema as recorded, read without changing it.</summary>
/// <param name="Version">The highest step applied (0: none yet).</param>
/// <param name="Known">The highest step this build knows.</param>
/// <param name="Missing">The steps this build knows that are not applied.</param>
public sealed record SchemaStatus(string Store, string Location, int Version, int Known, int Missing)
{
    /// <summary>Every step this build knows is applied, and none it does not know.</summary>
    public bool IsCurrent => Missing == 0 && Version == Known;
}

/// <summary>A store whose schema is a list of numbered steps, recorded in a <c>schema_migrations</c> table as they are applied.</summary>
public interface IMigratingStore : IAsyncDisposable
{
    /// <summary>The schema steps this build knows, by version.</summary>
    IReadOnlyList<SchemaStep> Migrations { get; }

    /// <summary>Applies the missing steps (the first use of a store does the same) and says what it did.</summary>
    Task<MigrationReport> MigrateAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads the versions applied, with a plain read: no schema step, no transaction, no lock a writer waits on
    /// (readiness asks this on every probe).</summary>
    Task<SchemaStatus> InspectAsync(CancellationToken cancellationToken = default);
}

/// <summary>Runs a store's missing schema steps in order, each recorded in <c>schema_migrations</c> (store, version,
/// description, applied_at), all in one transaction: two processes starting together apply each step once (PostgreSQL
/// under an advisory lock per schema, SQLite under its write lock), and a failed step leaves the schema as it was.</summary>
internal static class SchemaMigrations
{
    public static async Task<MigrationReport> PostgresAsync(DbConnection connection, string schema, string store, string location,
        IReadOnlyList<SchemaStep> steps, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The lock is held to the end of the transaction: a second process waits here, then sees the versions applied.
        // The ADD COLUMN upgrades the table of the watchlist store, which kept versions before stores shared the table.
        await RunAsync(connection, transaction, $"""
            SELECT pg_advisory_xact_lock(hashtext('aitrader.{schema}.migrations'));
            CREATE SCHEMA IF NOT EXISTS {schema};
            CREATE TABLE IF NOT EXISTS {schema}.schema_migrations (
                store       text        NOT NULL,
                version     integer     NOT NULL,
                description text        NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (store, version)
            );
            ALTER TABLE {schema}.schema_migrations ADD COLUMN IF NOT EXISTS store text NOT NULL DEFAULT 'watchlists';
            """, cancellationToken).ConfigureAwait(false);
        var report = await ApplyAsync(connection, transaction, $"{schema}.schema_migrations", "now()", store, location, steps, cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return report;
    }

    public static async Task<MigrationReport> SqliteAsync(DbConnection connection, string store, string location,
        IReadOnlyList<SchemaStep> steps, CancellationToken cancellationToken)
    {
        // WAL lets readers run while a writer writes; it cannot be switched inside a transaction.
        await RunAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
        // Microsoft.Data.Sqlite begins IMMEDIATE unless asked for deferred: the write lock is taken before the versions are read.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await RunAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                store       TEXT    NOT NULL,
                version     INTEGER NOT NULL,
                description TEXT    NOT NULL,
                applied_at  TEXT    NOT NULL,
                PRIMARY KEY (store, version)
            );
            """, cancellationToken).ConfigureAwait(false);
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var report = await ApplyAsync(connection, transaction, "schema_migrations", $"'{now}'", store, location, steps, cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return report;
    }

    /// <summary>The versions recorded for <paramref name="store"/> in <paramref name="schema"/>, read-only.</summary>
    public static async Task<SchemaStatus> PostgresStatusAsync(DbConnection connection, string schema, string store, string location,
        IReadOnlyList<SchemaStep> steps, CancellationToken cancellationToken)
    {
        var exists = await ScalarAsync(connection, $"SELECT to_regclass('{schema}.schema_migrations') IS NOT NULL", null, cancellationToken)
            .ConfigureAwait(false);
        return await StatusAsync(connection, exists is true, $"{schema}.schema_migrations", store, location, steps, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The versions recorded for <paramref name="store"/> in the SQLite file, read-only (WAL: no writer waits on it).</summary>
    public static async Task<SchemaStatus> SqliteStatusAsync(DbConnection connection, string store, string location,
        IReadOnlyList<SchemaStep> steps, CancellationToken cancellationToken)
    {
        var exists = await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", null,
            cancellationToken).ConfigureAwait(false);
        return await StatusAsync(connection, Convert.ToInt64(exists, CultureInfo.InvariantCulture) > 0, "schema_migrations", store, location, steps,
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task<SchemaStatus> StatusAsync(DbConnection connection, bool tableExists, string table, string store, string location,
        IReadOnlyList<SchemaStep> steps, CancellationToken cancellationToken)
    {
        var known = steps.Max(s => s.Version);
        if (!tableExists)
        {
            return new SchemaStatus(store, location, 0, known, steps.Count);
        }

        await using var read = connection.CreateCommand();
        read.CommandText = $"SELECT version FROM {table} WHERE store = @store";
        SqlCommands.Add(read, "store", store);
        var applied = (await SqlCommands.ReadAllAsync(read, reader => Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture), cancellationToken)
            .ConfigureAwait(false)).ToHashSet();
        var version = applied.Count == 0 ? 0 : applied.Max();
        return version > known
            ? throw new SchemaNewerThanBuildException(location, store, version, known)
            : new SchemaStatus(store, location, version, known, steps.Count(s => !applied.Contains(s.Version)));
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, string sql, DbTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<MigrationReport> ApplyAsync(DbConnection connection, DbTransaction transaction, string table, string now,
        string store, string location, IReadOnlyList<SchemaStep> steps, CancellationToken cancellationToken)
    {
        var ordered = steps.OrderBy(s => s.Version).ToList();
        if (ordered.Count == 0 || ordered.Select((s, i) => s.Version != i + 1).Any(wrong => wrong))
        {
            throw new InvalidOperationException($"The {store} store's schema steps must be numbered 1, 2, 3, ... without gaps.");
        }

        HashSet<int> applied;
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = $"SELECT version FROM {table} WHERE store = @store";
            SqlCommands.Add(read, "store", store);
            applied = [.. await SqlCommands.ReadAllAsync(read, reader => Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture), cancellationToken)
                .ConfigureAwait(false)];
        }

        var known = ordered[^1].Version;
        if (applied.Count > 0 && applied.Max() > known)
        {
            throw new SchemaNewerThanBuildException(location, store, applied.Max(), known);
        }

        var done = new List<SchemaStep>();
        foreach (var step in ordered.Where(s => !applied.Contains(s.Version)))
        {
            await RunAsync(connection, transaction, step.Sql, cancellationToken).ConfigureAwait(false);
            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = $"INSERT INTO {table} (store, version, description, applied_at) VALUES (@store, @version, @description, {now})";
            SqlCommands.Add(record, "store", store);
            SqlCommands.Add(record, "version", step.Version);
            SqlCommands.Add(record, "description", step.Description);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            done.Add(step);
        }

        return new MigrationReport(store, location, known, done);
    }

    private static async Task RunAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
