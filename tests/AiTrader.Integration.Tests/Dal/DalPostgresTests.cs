using AiTrader.Core.Domain;
using AiTrader.Integration.Tests.Storage;
using AiTrader.MarketData.Dal;
using static AiTrader.Integration.Tests.Dal.DalFakes;

namespace AiTrader.Integration.Tests.Dal;

/// <summary>The DAL with its catalog in real PostgreSQL (DATABASE_URL), as deployed.</summary>
public sealed class DalPostgresTests : IAsyncLifetime
{
    private DalFakes _fakes = null!;

    public async Task InitializeAsync() => _fakes = await StartAsync();

    public async Task DisposeAsync() => await _fakes.DisposeAsync();

    [PostgresFact]
    public async Task Catalog_in_postgres_serves_the_repeat_from_cache()
    {
        var env = _fakes.Environment();
        env["DATABASE_URL"] = PostgresTestDatabase.RequireUrl();

        // The fakes serve any symbol; a fresh one keeps this run's rows apart from other runs in the shared table.
        var symbol = new Symbol("T" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant());
        var (start, end) = Days(Monday, Monday);
        await using var dal = OpenDal(env);
        try
        {
            var first = await dal.FetchBarsAsync(symbol, Timeframe.OneMinute, "yahoo", start, end);
            var second = await dal.FetchBarsAsync(symbol, Timeframe.OneMinute, "yahoo", start, end);

            Assert.Equal(CacheOutcome.Miss, first.Cache);
            Assert.Equal(CacheOutcome.Full, second.Cache);
            Assert.Equal(1, _fakes.Yahoo.RequestCount);
            Assert.Equal(first.Bars, second.Bars);
        }
        finally
        {
            await using var catalog = AiTrader.Storage.SnapshotCatalogFactory.Create(env["DATABASE_URL"], _fakes.Root);
            foreach (var row in (await catalog.ListAsync("yahoo")).Where(s => s.Key.Symbol == symbol))
            {
                await catalog.DeleteAsync(row.Id);
            }
        }
    }
}
