using System.Diagnostics.Metrics;
using System.Reflection;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Architecture;

/// <summary>docs/howto/observability.md's metric table is the code's: one row per instrument on the platform's meter,
/// with its type, unit and Prometheus name, and no row for a metric that is gone; and the page names every telemetry and
/// diagnostics variable the start-up check knows.</summary>
public sealed class ObservabilityDocsTests
{
    private static readonly string PagePath = Path.Combine(TestPaths.RepoRoot, "docs", "howto", "observability.md");

    /// <summary>Every instrument the platform's assemblies define (static fields of the recorders; reading them creates them).</summary>
    private static List<Instrument> PlatformInstruments()
    {
        Assembly[] assemblies =
        [
            typeof(AiTrader.Application.Telemetry).Assembly,
            typeof(AiTrader.MarketData.VendorException).Assembly,
            typeof(AiTrader.Storage.BarCache).Assembly,
            typeof(AiTrader.Service.ServiceOptions).Assembly,
            typeof(AiTrader.Core.Domain.Bar).Assembly,
        ];
        const BindingFlags Static = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        return assemblies
            .SelectMany(a => a.GetTypes())
            .Where(t => !t.ContainsGenericParameters)
            .SelectMany(t => t.GetFields(Static))
            .Where(f => typeof(Instrument).IsAssignableFrom(f.FieldType))
            .Select(f => (Instrument)f.GetValue(null)!)
            .Where(i => i.Meter.Name == AiTrader.Application.Telemetry.Name)
            .DistinctBy(i => i.Name)
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The rows of the page's metric table: the cells of each line that starts with <c>| `aitrader.</c>.</summary>
    private static Dictionary<string, string[]> Rows() =>
        File.ReadAllLines(PagePath)
            .Where(l => l.StartsWith("| `aitrader.", StringComparison.Ordinal))
            .Select(l => l.Trim('|', ' ').Split(" | "))
            .ToDictionary(cells => cells[0].Trim('`'), StringComparer.Ordinal);

    [Fact]
    public void The_metric_table_has_a_row_for_each_instrument_with_its_type_unit_and_prometheus_name()
    {
        var instruments = PlatformInstruments();
        var rows = Rows();
        Assert.True(instruments.Count >= 8, $"found only {instruments.Count} instruments; the reflection missed some");

        Assert.Equal(instruments.Select(i => i.Name), rows.Keys.Order(StringComparer.Ordinal));
        foreach (var instrument in instruments)
        {
            var cells = rows[instrument.Name];
            Assert.True(cells[1] == Kind(instrument), $"{instrument.Name}: type '{cells[1]}', the code's is {Kind(instrument)}");
            Assert.True(cells[2] == $"`{instrument.Unit}`", $"{instrument.Name}: unit {cells[2]}, the code's is `{instrument.Unit}`");
            Assert.True(cells[4] == $"`{Prometheus(instrument)}`", $"{instrument.Name}: Prometheus name {cells[4]}, expected `{Prometheus(instrument)}`");
        }
    }

    [Fact]
    public void The_page_names_every_telemetry_and_diagnostics_variable_the_start_up_check_knows()
    {
        var page = File.ReadAllText(PagePath);
        var variables = AiTrader.Application.EnvironmentCheck.Variables.Select(v => v.Name)
            .Where(n => n.StartsWith("OTEL_", StringComparison.Ordinal) || n.StartsWith("ASPNETCORE_", StringComparison.Ordinal)
                || n is "AITRADER_PHASES" or "AITRADER_DEBUG" or "AITRADER_PEAK")
            .ToList();
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", variables);
        Assert.All(variables, v => Assert.Contains($"| `{v}` |", page, StringComparison.Ordinal));
    }

    private static string Kind(Instrument instrument) => instrument.GetType().GetGenericTypeDefinition() switch
    {
        var t when t == typeof(Counter<>) => "counter",
        var t when t == typeof(Histogram<>) => "histogram",
        var t when t == typeof(UpDownCounter<>) => "up-down counter",
        var t when t == typeof(Gauge<>) => "gauge",
        var t => t.Name,
    };

    /// <summary>The name OpenTelemetry's Prometheus exporter gives the instrument (as <c>serve --metrics</c> shows it):
    /// dots to underscores, the unit as a word (annotations in braces dropped), <c>_total</c> on counters. Histograms add
    /// <c>_bucket</c>, <c>_sum</c> and <c>_count</c> to this name.</summary>
    private static string Prometheus(Instrument instrument)
    {
        var unit = instrument.Unit switch
        {
            "s" => "_seconds",
            "{bar}/s" => "_per_second",
            { } u when u.StartsWith('{') && u.EndsWith('}') && !u[1..^1].Contains('}', StringComparison.Ordinal) => "",
            var u => throw new InvalidOperationException(
                $"{instrument.Name}: unit '{u}' is new here; scrape `aitrader serve --metrics` for its Prometheus name and add the unit above"),
        };
        return instrument.Name.Replace('.', '_') + unit + (Kind(instrument) == "counter" ? "_total" : "");
    }
}
