using AiTrader.Core.Domain;

namespace AiTrader.Core.Scanning;

/// <summary>Scans a universe at one window: this machine's <see cref="PremarketScanner"/>, or a cluster's symbol grains
/// behind a coordinator. The scheduler, the store and the output do not know which.</summary>
public interface IUniverseScanner
{
    ScanOptions Options { get; }

    /// <summary>The refresh of <paramref name="universe"/> as of <paramref name="windowUtc"/> on trading date <paramref name="date"/>.</summary>
    Task<ScanRefresh> ScanAsync(DateOnly date, DateTime windowUtc, IReadOnlyList<Symbol> universe, string mode = "replay",
        CancellationToken cancellationToken = default);
}
