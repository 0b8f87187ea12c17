namespace AiTrader.MarketData.Dal;

/// <summary>Vendor names the DAL accepts besides the vendor clients' own (<c>alphavantage</c>, <c>yahoo</c>, …).</summary>
public static class DalVendors
{
    /// <summary>The bundled CSV data (<c>data/sample</c>); never cached, needs no key.</summary>
    public const string Sample = "sample";

    /// <summary>The configured fallback chain (AITRADER_VENDOR_CHAIN, default alphavantage → yahoo → twelvedata).</summary>
    public const string Auto = "auto";

    /// <summary>Every accepted <c>vendor</c> value.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Auto, Sample, VendorSettings.AlphaVantage, VendorSettings.Yahoo, VendorSettings.TwelveData,
        VendorSettings.Alpaca, VendorSettings.Finnhub,
    ];
}

/// <summary>What a <c>vendor</c> argument resolves to: the sample data, or vendors to try in order; plus a warning to show.</summary>
/// <param name="Requested">The vendor asked for after defaulting (<c>auto</c>, <c>sample</c> or a vendor name).</param>
/// <param name="UsesSample">True when the bundled sample data will serve the request.</param>
/// <param name="Chain">Vendor names tried in order (empty when <paramref name="UsesSample"/>).</param>
/// <param name="Warning">Set when the plan differs from what was asked (no key → sample).</param>
public sealed record DalVendorPlan(string Requested, bool UsesSample, IReadOnlyList<string> Chain, string? Warning);
