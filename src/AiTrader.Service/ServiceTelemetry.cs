using AiTrader.Application;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AiTrader.Service;

/// <summary>OpenTelemetry for the service: traces of every request (ASP.NET Core) and job (<see cref="Telemetry"/>), and
/// metrics (requests, jobs, the runtime), exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set and scraped at <c>/metrics</c>
/// (Prometheus text format) with <c>serve --metrics</c>; nothing is collected otherwise. Request spans carry the route and status, never headers, so API keys stay out of them.</summary>
public static class ServiceTelemetry
{
    /// <summary>The product's version (<c>0.16.0</c>, from src/Directory.Build.props), as spans, metrics and logs name it.</summary>
    public static string ProductVersion { get; } = typeof(ServiceTelemetry).Assembly.GetName().Version?.ToString(3) ?? "unknown";

    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The hosting environment; <c>Development</c> prints spans and metrics to the console.</summary>
    public const string DevelopmentVariable = "ASPNETCORE_ENVIRONMENT";

    public static void Add(WebApplicationBuilder builder, Func<string, string?> environment, bool prometheus = false)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(environment);
        Uri? endpoint = null;
        if (environment(EndpointVariable) is { Length: > 0 } endpointText)
        {
            if (!Uri.TryCreate(endpointText.TrimEnd('/'), UriKind.Absolute, out endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                throw new RequestException($"{EndpointVariable} '{endpointText}' is not an http(s) URL; e.g. http://127.0.0.1:4318.", EndpointVariable);
            }
        }

        // In development (ASPNETCORE_ENVIRONMENT=Development) spans and metrics are also printed to the console.
        var console = string.Equals(environment(DevelopmentVariable)?.Trim(), "Development", StringComparison.OrdinalIgnoreCase);
        if (endpoint is null && !prometheus && !console)
        {
            return;
        }

        // OTLP over HTTP with protobuf: each signal has its own path under the collector's base URL.
        void Otlp(OtlpExporterOptions o, string signal)
        {
            o.Protocol = OtlpExportProtocol.HttpProtobuf;
            o.Endpoint = new Uri(endpoint!.AbsoluteUri.TrimEnd('/') + "/v1/" + signal);
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("aitrader", serviceVersion: ProductVersion));
        if (endpoint is not null || console)
        {
            // A request's trace runs through the application layer's spans to the vendor HTTP calls (HttpClient) and the
            // database commands (Npgsql); the HttpClient instrumentation redacts query values (vendor keys travel there).
            telemetry.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path != "/health/live")
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource(Telemetry.Name));
            if (endpoint is not null)
            {
                telemetry.WithTracing(t => t.AddOtlpExporter(o => Otlp(o, "traces")));
            }

            if (console)
            {
                telemetry.WithTracing(t => t.AddConsoleExporter());
            }
        }

        if (endpoint is not null)
        {
            // Logs too, each record with its trace and span ids, so a log line leads to its request's trace.
            builder.Logging.AddOpenTelemetry(o =>
            {
                o.IncludeFormattedMessage = true;
                o.AddOtlpExporter(e => Otlp(e, "logs"));
            });
        }

        telemetry.WithMetrics(m =>
        {
            m.AddAspNetCoreInstrumentation().AddRuntimeInstrumentation().AddMeter(Telemetry.Name);
            if (endpoint is not null)
            {
                m.AddOtlpExporter(o => Otlp(o, "metrics"));
            }

            if (prometheus)
            {
                m.AddPrometheusExporter();
            }

            if (console)
            {
                m.AddConsoleExporter();
            }
        });
    }

    /// <summary>Serves the metrics in Prometheus' text format at <c>/metrics</c> (read key required) when asked.</summary>
    public static void MapScrapeEndpoint(WebApplication app, bool prometheus)
    {
        if (prometheus)
        {
            app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(ApiKeyAuthenticationHandler.ReadPolicy);
        }
    }
}
