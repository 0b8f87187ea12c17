using AiTrader.Core.MarketData;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiTrader.MarketData;

/// <summary>One vendor's try within a fallback fetch; <see cref="Error"/> is null when it served bars.</summary>
public sealed record VendorAttempt(string Vendor, VendorErrorKind? Error, string Message);

/// <summary>No vendor of a chain served the bars: the message lists each attempt; <see cref="IsTransient"/> says whether
/// trying again later may help (every vendor that was asked failed with a rate limit, a server error or a timeout).</summary>
public sealed class VendorChainException(string message, IReadOnlyList<VendorAttempt> attempts) : MarketDataException(message)
{
    public IReadOnlyList<VendorAttempt> Attempts { get; } = attempts;

    public bool IsTransient
    {
        get
        {
            var failed = Attempts.Where(a => a.Error is { } kind && kind != VendorErrorKind.Unsupported).ToList();
            return failed.Count > 0 && failed.All(a => a.Error is VendorErrorKind.RateLimited or VendorErrorKind.ServerError or VendorErrorKind.Timeout);
        }
    }
}

/// <summary>Bars from the first vendor in the chain that served them, plus every attempt for diagnostics.</summary>
public sealed record FallbackResult(VendorBars Bars, IReadOnlyList<VendorAttempt> Attempts)
{
    public string Vendor => Bars.Vendor;
}

/// <summary>Tries vendors in order (default alphavantage → yahoo → twelvedata) until one serves non-empty bars.</summary>
public sealed class FallbackBarFetcher
{
    private readonly IReadOnlyList<IVendorClient> _chain;
    private readonly ILogger _logger;

    public FallbackBarFetcher(IEnumerable<IVendorClient> chain, ILogger<FallbackBarFetcher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        _chain = chain.ToList();
        if (_chain.Count == 0)
        {
            throw new ArgumentException("A fallback chain needs at least one vendor.", nameof(chain));
        }

        _logger = logger ?? NullLogger<FallbackBarFetcher>.Instance;
    }

    /// <summary>Orders <paramref name="clients"/> by <paramref name="order"/> (vendor names); unknown names are an error.</summary>
    public static FallbackBarFetcher FromOrder(IEnumerable<IVendorClient> clients, IEnumerable<string> order, ILogger<FallbackBarFetcher>? logger = null)
    {
        var byName = clients.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);
        var chain = new List<IVendorClient>();
        foreach (var name in order)
        {
            if (!byName.TryGetValue(name, out var client))
            {
                throw new ArgumentException($"fallback chain: {UnknownVendor.Message(name, byName.Keys.Order())}.", nameof(order));
            }

            chain.Add(client);
        }

        return new FallbackBarFetcher(chain, logger);
    }

    public IReadOnlyList<string> VendorNames => _chain.Select(c => c.Name).ToList();

    /// <summary>Returns the first non-empty answer. If every vendor fails, throws one <see cref="MarketDataException"/>
    /// listing each vendor's failure; if some answered empty and none had bars, returns the first empty answer.</summary>
    public async Task<FallbackResult> FetchAsync(VendorBarRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var attempts = new List<VendorAttempt>();
        VendorBars? firstEmpty = null;
        foreach (var vendor in _chain)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!vendor.Capabilities.Supports(request.Timeframe, request.Adjustment))
            {
                // Skipped without a request: capabilities already say no.
                attempts.Add(new VendorAttempt(vendor.Name, VendorErrorKind.Unsupported,
                    $"{vendor.Name}: {request.Timeframe} {request.Adjustment} bars not offered (skipped)"));
                continue;
            }

            try
            {
                var bars = await vendor.GetBarsAsync(request, cancellationToken).ConfigureAwait(false);
                if (bars.Bars.Count == 0)
                {
                    attempts.Add(new VendorAttempt(vendor.Name, null, $"{vendor.Name}: no bars in range"));
                    firstEmpty ??= bars;
                    continue;
                }

                attempts.Add(new VendorAttempt(vendor.Name, null, $"{vendor.Name}: served {bars.Bars.Count} bars"));
                return new FallbackResult(bars, attempts);
            }
            catch (VendorException ex)
            {
                attempts.Add(new VendorAttempt(vendor.Name, ex.Kind, ex.Message));
                _logger.LogWarning("{Vendor} failed for {Symbol} {Timeframe} ({Kind}): {Message}; trying the next vendor",
                    vendor.Name, request.Symbol, request.Timeframe, ex.Kind, ex.Message);
            }
        }

        if (firstEmpty is not null)
        {
            return new FallbackResult(firstEmpty, attempts);
        }

        var summary = string.Join(" | ", attempts.Select(a => $"{a.Vendor} [{a.Error}] {a.Message}"));
        throw new VendorChainException(
            $"No vendor could serve {request.Symbol} {request.Timeframe} bars {request.StartUtc:yyyy-MM-dd HH:mm}Z..{request.EndUtc:yyyy-MM-dd HH:mm}Z: {summary}", attempts);
    }
}
