using System.Text.Json;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using Microsoft.Extensions.Logging;

namespace AiTrader.MarketData.Vendors;

/// <summary>Finnhub client: real-time quote and the US symbol list. Candles are premium-only, so bars are Unsupported.</summary>
public sealed class FinnhubClient : VendorClientBase
{
    private static readonly VendorCapabilities Caps = new(
        [],
        [],
        Streaming: true,
        Quotes: true,
        Listings: true,
        HistoryDepth: "none on the free plan (stock candles are premium since 2024)");

    private readonly FinnhubOptions _options;

    public FinnhubClient(HttpClient http, FinnhubOptions options, VendorThrottle? throttle = null, ILogger<FinnhubClient>? logger = null)
        : base(VendorSettings.Finnhub, http, options, throttle, logger) => _options = options;

    public override VendorCapabilities Capabilities => Caps;

    protected override string CredentialsFix => "set a valid FINNHUB_API_KEY";

    protected override Task<VendorBars> FetchBarsAsync(VendorBarRequest request, CancellationToken cancellationToken) =>
        throw Unsupported("stock candles are not available on the current plan (free keys get HTTP 403)",
            "use alphavantage, yahoo or twelvedata for bars");

    public override async Task<Quote> GetLatestQuoteAsync(Symbol symbol, CancellationToken cancellationToken = default)
    {
        EnsureKey();
        var uri = BuildUri("/quote", ("symbol", symbol.Value));
        return await ExecuteAsync(async ct =>
        {
            using var doc = Check(await GetAsync(uri, Authenticate, ct).ConfigureAwait(false));
            var root = doc.RootElement;
            var c = OptionalDecimal(root, "c");
            var pc = OptionalDecimal(root, "pc");
            var t = OptionalDecimal(root, "t");
            // Unknown symbols are HTTP 200 with all zeros.
            if (c is null or 0 && pc is null or 0)
            {
                throw Fail(VendorErrorKind.NotFound, $"no quote for {symbol} (all-zero answer); fix: check the symbol");
            }

            return new Quote(symbol, DateTimeOffset.FromUnixTimeSeconds((long)(t ?? 0)).UtcDateTime, null, null, c, Name);
        }, cancellationToken).ConfigureAwait(false);
    }

    public override async Task<IReadOnlyList<Listing>> GetListingsAsync(CancellationToken cancellationToken = default)
    {
        EnsureKey();
        var uri = BuildUri("/stock/symbol", ("exchange", "US"));
        return await ExecuteAsync<IReadOnlyList<Listing>>(async ct =>
        {
            using var doc = Check(await GetAsync(uri, Authenticate, ct).ConfigureAwait(false));
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw Fail(VendorErrorKind.MalformedResponse, "expected a JSON array of symbols; fix: check FINNHUB_BASE_URL");
            }

            var result = new List<Listing>();
            foreach (var row in doc.RootElement.EnumerateArray())
            {
                if (OptionalString(row, "symbol") is { } s && Symbol.TryParse(s, out var symbol, out _))
                {
                    result.Add(new Listing(symbol, OptionalString(row, "description") ?? "", OptionalString(row, "mic") ?? "",
                        OptionalString(row, "type") ?? "", ListingStatus.Active));
                }
            }

            return result;
        }, cancellationToken).ConfigureAwait(false);
    }

    private JsonDocument Check(VendorResponse response)
    {
        if (!response.IsSuccess)
        {
            string? message = null;
            if (response.Body.TrimStart().StartsWith('{'))
            {
                try
                {
                    using var err = JsonDocument.Parse(response.Body);
                    message = OptionalString(err.RootElement, "error");
                }
                catch (JsonException)
                {
                }
            }

            if (response.StatusCode == 403 && message?.Contains("access to this resource", StringComparison.OrdinalIgnoreCase) == true)
            {
                throw Unsupported($"endpoint not in the current plan (HTTP 403: {message})", "upgrade the plan or use another vendor");
            }

            throw StatusError(response, message);
        }

        return ParseJson(response);
    }

    // Header auth keeps the key out of URLs (and so out of any logged request line).
    private void Authenticate(HttpRequestMessage request) => request.Headers.TryAddWithoutValidation("X-Finnhub-Token", _options.ApiKey);

    private void EnsureKey()
    {
        if (string.IsNullOrEmpty(_options.ApiKey))
        {
            throw Unauthorized("no key configured");
        }
    }
}
