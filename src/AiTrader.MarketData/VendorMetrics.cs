using System.Diagnostics.Metrics;

namespace AiTrader.MarketData;

/// <summary>Vendor calls as metrics on the platform's meter (<c>AiTrader</c>, exported by the service's OpenTelemetry):
/// the latency of every HTTP request by vendor and status, and every typed error by vendor and kind (<c>rate_limited</c>,
/// as <see cref="VendorErrorKinds.ToText"/> names it: the name dashboards and alerts query).</summary>
internal static class VendorMetrics
{
    private static readonly Meter Meter = new("AiTrader");

    private static readonly Histogram<double> Latency = Meter.CreateHistogram<double>(
        "aitrader.vendor.request.duration", "s", "Time of one HTTP request to a market-data vendor, by vendor and status.");

    private static readonly Counter<long> Errors = Meter.CreateCounter<long>(
        "aitrader.vendor.errors", "{error}", "Typed vendor errors (rate_limited, timeout, malformed_response, ...), by vendor and kind.");

    public static void Request(string vendor, int status, TimeSpan elapsed) =>
        Latency.Record(elapsed.TotalSeconds, new("vendor", vendor), new("status", status));

    public static void Error(string vendor, VendorErrorKind kind) =>
        Errors.Add(1, new("vendor", vendor), new("kind", kind.ToText()));
}
