using AiTrader.Application;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AiTrader.Service;

/// <summary>OpenTelemetry for the service: traces of every request (ASP.NET Core) and job (<see cref="Telemetry"/>), and
/// metrics (requests, jobs, the runtime), exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (nothing is
/// collected otherwise). Request spans carry the route and status, never headers, so API keys stay out of them.</summary>
public static class ServiceTelemetry
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static void Add(WebApplicationBuilder builder, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(environment);
        if (environment(EndpointVariable) is not { Length: > 0 } endpointText)
        {
            return;
        }

        if (!Uri.TryCreate(endpointText.TrimEnd('/'), UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            throw new RequestException($"{EndpointVariable} '{endpointText}' is not an http(s) URL; e.g. http://127.0.0.1:4318.", EndpointVariable);
        }

        // OTLP over HTTP with protobuf: each signal has its own path under the collector's base URL.
        void Otlp(OtlpExporterOptions o, string signal)
        {
            o.Protocol = OtlpExportProtocol.HttpProtobuf;
            o.Endpoint = new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/v1/" + signal);
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("aitrader", serviceVersion: typeof(ServiceTelemetry).Assembly.GetName().Version?.ToString()))
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path != "/health/live")
                .AddSource(Telemetry.Name)
                .AddOtlpExporter(o => Otlp(o, "traces")))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(Telemetry.Name)
                .AddOtlpExporter(o => Otlp(o, "metrics")));
    }
}
