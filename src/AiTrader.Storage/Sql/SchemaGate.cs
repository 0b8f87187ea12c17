using System.Data.Common;

namespace AiTrader.Storage;

/// <summary>Opens connections and brings the schema up to date once per store, on the first connection that succeeds.</summary>
internal sealed class SchemaGate : IDisposable
{
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    /// <summary>What the schema step found and did, once a connection has opened.</summary>
    public MigrationReport? Report { get; private set; }

    /// <summary>Opens a connection with <paramref name="open"/> and, the first time, runs <paramref name="createSchema"/> on it.
    /// The connection is disposed when schema creation fails.</summary>
    public async Task<DbConnection> OpenAsync(
        Func<CancellationToken, Task<DbConnection>> open,
        Func<DbConnection, CancellationToken, Task<MigrationReport>> createSchema,
        CancellationToken cancellationToken)
    {
        var connection = await open(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_schemaReady)
            {
                await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (!_schemaReady)
                    {
                        Report = await createSchema(connection, cancellationToken).ConfigureAwait(false);
                        _schemaReady = true;
                    }
                }
                finally
                {
                    _schemaLock.Release();
                }
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose() => _schemaLock.Dispose();
}
