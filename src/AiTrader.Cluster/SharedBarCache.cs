using AiTrader.Application;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Storage;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AiTrader.Cluster;

/// <summary>The bar cache a cluster's silos share through Azure Blob storage (AITRADER_BAR_CACHE_BLOB): the client that
/// sends a sweep puts the sweep's loaded bars there once as a <see cref="BarSeriesSnapshot"/> named by its content, and
/// each silo downloads it once into its own bar cache folder. Silos then need neither the CSV nor a shared folder.</summary>
/// <remarks>A blob is written once (If-None-Match: *; a name stands for one content, so one already there is the same)
/// and in one commit, so no reader sees half of one; a download goes to a temporary file and is used only when its
/// content is what its name says. The connection string (a secret) is never put in a message.</remarks>
public sealed class SharedBarCache
{
    private const string Prefix = "bars/";
    private readonly BlobContainerClient _container;
    private readonly BlobContainerOnce _containerOnce;

    /// <param name="connectionString">The storage account's connection string (AZURE_BLOB_CONNECTION_STRING).</param>
    /// <param name="container">The container's name.</param>
    /// <param name="localDirectory">The folder the snapshots are kept in on this machine.</param>
    public SharedBarCache(string connectionString, string container, string localDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(container);
        ArgumentException.ThrowIfNullOrWhiteSpace(localDirectory);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ArgumentException($"{AppSettings.BarCacheBlobVariable} needs AZURE_BLOB_CONNECTION_STRING: set it to the storage account's connection string (Azurite's for a trial: bash .ci/azurite.sh prints one).");
        }

        _container = BlobConnections.Container(connectionString, container);
        _containerOnce = new BlobContainerOnce(_container);

        LocalDirectory = Path.GetFullPath(localDirectory);
    }

    /// <summary>The shared cache <paramref name="settings"/> ask for (null when AITRADER_BAR_CACHE_BLOB is not set), kept
    /// locally in the bar cache folder's <c>shared</c> subfolder (the data folder's when the bar cache is off).</summary>
    /// <exception cref="ArgumentException">The container is set without a usable connection string.</exception>
    public static SharedBarCache? From(AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.BarCacheBlobContainer is not { } container)
        {
            return null;
        }

        var local = settings.BarCache() is { } cache ? cache.Directory : Path.Combine(settings.DataDir, "cache", "bars");
        return new SharedBarCache(settings.BlobConnectionString ?? "", container, Path.Combine(local, "shared"));
    }

    public string LocalDirectory { get; }

    /// <summary>Where the blobs are, without the secret: "Azure Blob container http://127.0.0.1:10000/devstoreaccount1/bars".</summary>
    public string Where => $"Azure Blob container {_container.Uri.GetLeftPart(UriPartial.Path)}";

    /// <summary>Puts <paramref name="series"/> in the shared cache (unless its content is there already) and returns its
    /// name, which a silo passes to <see cref="LoadAsync"/>.</summary>
    /// <exception cref="ClusterSweepException">The blob service refuses or does not answer (the message names what to check).</exception>
    public async Task<string> PublishAsync(BarSeries series, CancellationToken ct)
    {
        var name = BarSeriesSnapshot.Write(LocalDirectory, series);
        var blob = _container.GetBlobClient(Prefix + name);
        try
        {
            await _containerOnce.EnsureAsync(ct).ConfigureAwait(false);
            if (await blob.ExistsAsync(ct).ConfigureAwait(false))
            {
                return name;
            }

            await blob.UploadAsync(Path.Combine(LocalDirectory, name),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, ct).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Another client put the same content there first.
        }
        catch (RequestFailedException ex)
        {
            throw new ClusterSweepException($"could not put {name} in {Where} (HTTP {ex.Status} {ex.ErrorCode}); check AZURE_BLOB_CONNECTION_STRING and {AppSettings.BarCacheBlobVariable}.");
        }
        catch (AggregateException ex)
        {
            throw new ClusterSweepException($"{Where} does not answer ({ex.InnerException?.Message ?? ex.Message}); check AZURE_BLOB_CONNECTION_STRING and that the service runs.");
        }

        return name;
    }

    /// <summary>The series named <paramref name="name"/>: from this machine's copy when it is there and whole, else
    /// downloaded first (<c>Downloaded</c>); null when the shared cache does not hold it whole either.</summary>
    public async Task<(BarSeries? Series, bool Downloaded)> LoadAsync(string name, Symbol symbol, Timeframe timeframe, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (Path.GetFileName(name) != name)
        {
            return (null, false);
        }

        var path = Path.Combine(LocalDirectory, name);
        if (BarSeriesSnapshot.TryRead(path, symbol, timeframe) is { } local)
        {
            return (local, false);
        }

        Directory.CreateDirectory(LocalDirectory);
        var temp = Path.Combine(LocalDirectory, $".{name}.{Guid.NewGuid():N}.tmp");
        try
        {
            try
            {
                await _container.GetBlobClient(Prefix + name).DownloadToAsync(temp, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return (null, false);
            }

            // Checked under its temporary name (the name it is checked against is the blob's), then moved into place.
            var series = BarSeriesSnapshot.TryRead(Path.Combine(LocalDirectory, name), symbol, timeframe, temp);
            if (series is null)
            {
                return (null, false);
            }

            File.Move(temp, path, overwrite: true);
            return (series, true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
