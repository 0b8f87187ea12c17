using Azure.Storage.Blobs;

namespace AiTrader.Storage;

/// <summary>Creates a blob container the first time a store needs it, once per instance however many calls race for it
/// (the watchlist store's blobs, the cluster's shared bar cache); a failed attempt is tried again by the next call.</summary>
public sealed class BlobContainerOnce(BlobContainerClient container) : IDisposable
{
    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile bool _created;

    /// <summary>Creates the container unless this instance has seen it created; errors are the caller's to word.</summary>
    public async Task EnsureAsync(CancellationToken ct)
    {
        if (_created)
        {
            return;
        }

        await _lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!_created)
            {
                await container.CreateIfNotExistsAsync(cancellationToken: ct).ConfigureAwait(false);
                _created = true;
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose() => _lock.Dispose();
}

/// <summary>Blob container clients from a connection string, with the SDK's errors reworded: its message can quote the
/// connection string (and the account key in it), so only what is wrong is said.</summary>
public static class BlobConnections
{
    /// <exception cref="ArgumentException">The connection string is not one (the message does not repeat it).</exception>
    public static BlobContainerClient Container(string connectionString, string name)
    {
        try
        {
            return new BlobContainerClient(connectionString, name);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new ArgumentException("AZURE_BLOB_CONNECTION_STRING is not an Azure Storage connection string; copy it from the storage account's access keys (or Azurite's).", ex);
        }
    }
}
