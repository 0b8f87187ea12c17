using AiTrader.Storage;

namespace AiTrader.Integration.Tests.Storage;

/// <summary>Opens the catalog backend a theory row names, isolated by a vendor name unique to the test.</summary>
internal sealed class CatalogUnderTest : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();

    public CatalogUnderTest(string backend)
    {
        Backend = backend;
        Catalog = backend switch
        {
            "sqlite" => SnapshotCatalogFactory.Create(null, _dir.Path),
            "postgres" => SnapshotCatalogFactory.Create(PostgresTestDatabase.RequireUrl(), _dir.Path),
            _ => throw new ArgumentOutOfRangeException(nameof(backend)),
        };
    }

    public string Backend { get; }

    public ISnapshotCatalog Catalog { get; }

    /// <summary>Scratch directory, also usable as the cache root.</summary>
    public string Directory => _dir.Path;

    /// <summary>A vendor name no other test (or earlier run) uses, so rows of a shared PostgreSQL table never collide.</summary>
    public string Vendor { get; } = "test-" + Guid.NewGuid().ToString("N")[..12];

    public async ValueTask DisposeAsync()
    {
        foreach (var s in await Catalog.ListAsync(Vendor))
        {
            await Catalog.DeleteAsync(s.Id);
        }

        await Catalog.DisposeAsync();
        _dir.Dispose();
    }
}
