using System.Data.Common;

namespace AiTrader.Storage;

/// <summary>What every SQL-backed store shares (journal, snapshot catalog, API keys, jobs): connections opened through
/// the schema gate, so the first one brings the versioned schema up to date, the migration entry point, and the UTC
/// instant mapping each backend supplies.</summary>
public abstract class SqlStore : IMigratingStore
{
    private readonly SchemaGate _schema = new();

    /// <summary>The schema steps by version.</summary>
    public abstract IReadOnlyList<SchemaStep> Migrations { get; }

    /// <summary>False when nothing was ever stored (a missing SQLite file): reads then find nothing instead of creating
    /// an empty database as a side effect.</summary>
    protected virtual bool StoreExists => true;

    /// <summary>Applies the missing schema steps (creating the store when it does not exist yet).</summary>
    public async Task<MigrationReport> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return _schema.Report!;
    }

    /// <summary>Reads the schema versions on a connection of its own, outside the schema gate: nothing is applied.</summary>
    public async Task<SchemaStatus> InspectAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    public virtual ValueTask DisposeAsync()
    {
        _schema.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Opens a connection to the backend.</summary>
    protected abstract Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Applies the missing steps of <see cref="Migrations"/> on <paramref name="connection"/>.</summary>
    protected abstract Task<MigrationReport> CreateSchemaAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>Reads the versions of <see cref="Migrations"/> applied on <paramref name="connection"/>, changing nothing.</summary>
    protected abstract Task<SchemaStatus> ReadSchemaAsync(DbConnection connection, CancellationToken cancellationToken);

    /// <summary>The value that stores a UTC instant in this backend.</summary>
    protected abstract object ToDb(DateTime utc);

    /// <summary>Reads a UTC instant stored by <see cref="ToDb(DateTime)"/>.</summary>
    protected abstract DateTime ReadUtc(DbDataReader reader, int ordinal);

    /// <summary>A connection with the schema up to date.</summary>
    protected Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        _schema.OpenAsync(OpenConnectionAsync, CreateSchemaAsync, cancellationToken);
}
