using System.CommandLine;
using AiTrader.Service;
using AiTrader.Storage;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader serve</c>: the platform as a service (REST API with API keys) until Ctrl+C or SIGTERM.</summary>
public static class ServeCommand
{
    public static Command Create(AppSettings settings, TextWriter stdout)
    {
        var defaults = new ServiceOptions();
        var urls = new Option<string>("--urls") { Description = "Where to listen: http(s) URLs, ';' between several (loopback only unless changed).", DefaultValueFactory = _ => defaults.Urls };
        var rate = new Option<int>("--rate-limit") { Description = "Requests per minute per API key (per client address before a key is known), 1 to 1000000; 429 with Retry-After beyond it.", DefaultValueFactory = _ => defaults.RequestsPerWindow };
        var jobs = new Option<int>("--max-concurrent-jobs") { Description = "Jobs run at once (backtests, sweeps, replayed sessions, scan replays), 1 to 64; a paper session on the live stream takes no slot.", DefaultValueFactory = _ => defaults.MaxConcurrentJobs };
        var cors = new Option<string[]>("--cors-origin") { Description = "A browser origin allowed to call the API, e.g. https://dashboard.example.com (repeatable). [default: none, CORS closed]", AllowMultipleArgumentsPerToken = false };
        var scanSchedule = new Option<string?>("--scan-schedule") { Description = "Run the live premarket scan in the service: premarket (04:00-09:25 ET every 5 minutes) or windows such as 04:00-09:25/5 or 08:00,09:00,09:25; needs the Alpaca keys. [default: off]" };
        var scanTop = new Option<int>("--scan-top") { Description = "Ranked symbols each live refresh publishes as the scan watchlist, 1 to 100.", DefaultValueFactory = _ => defaults.ScanTop };
        var metrics = new Option<bool>("--metrics") { Description = "Serve the metrics at /metrics in Prometheus' text format (read key required)." };
        var cluster = new Option<bool>("--cluster") { Description = "Run sweep and walk-forward jobs' backtests on the silos of a cluster (`aitrader silo`) instead of this service's job workers; same progress, cancellation and files." };
        var gatewayPorts = SweepOnCluster.GatewayPortsOption();
        var membership = new ClusterMembershipOptions();
        var command = new Command("serve", "Run the service: REST API (API keys from `aitrader apikey`), OpenAPI at /openapi/v1.json, signed webhooks at /webhooks/alerts (AITRADER_WEBHOOK_SECRET).")
        {
            urls, rate, jobs, cors, metrics, scanSchedule, scanTop, cluster, gatewayPorts, membership.Clustering, membership.ClusterId,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new ServiceOptions
            {
                Urls = ParseUrls(parse.GetValue(urls)!),
                RequestsPerWindow = InRange(parse.GetValue(rate), 1, 1_000_000, "--rate-limit"),
                MaxConcurrentJobs = InRange(parse.GetValue(jobs), 1, 64, "--max-concurrent-jobs"),
                CorsOrigins = (parse.GetValue(cors) ?? []).Select(ParseOrigin).ToList(),
                PrometheusMetrics = parse.GetValue(metrics),
                ScanSchedule = parse.GetValue(scanSchedule) is { } windows
                    ? (windows.Trim().Equals("premarket", StringComparison.OrdinalIgnoreCase)
                        ? Core.Scanning.ScanSchedule.Premarket
                        : CliParsing.Checked(() => Core.Scanning.ScanSchedule.Parse(windows), "--scan-schedule", formatErrors: true))
                    : null,
                ScanTop = InRange(parse.GetValue(scanTop), 1, 100, "--scan-top"),
            };
            var table = membership.Membership(parse, settings, System.Net.IPAddress.Loopback);
            if (!parse.GetValue(cluster) && (table is not null || parse.GetResult(gatewayPorts) is { Implicit: false }))
            {
                throw new CliException("--gateway-ports, --clustering and --cluster-id need --cluster.");
            }

            Microsoft.Extensions.Hosting.IHost? client = null;
            try
            {
                if (parse.GetValue(cluster))
                {
                    var gateways = table is null ? await SweepOnCluster.GatewaysAsync(parse.GetValue(gatewayPorts)!, ct) : [];
                    (client, var silos) = await SweepOnCluster.ConnectAsync(gateways, table, ct);
                    var error = parse.InvocationConfiguration.Error;
                    options = options with { ClusterSweeps = SweepOnCluster.Sweep(client, null, silos, line => error.WriteLine(line), SweepOnCluster.Shared(settings)).ExecuteAsync };
                }

                await ServiceApp.RunAsync(options, settings, parse.InvocationConfiguration.Error, ct);
            }
            catch (SchemaNewerThanBuildException ex)
            {
                // Not a crash to restart from (systemd's unit does not restart on exit code 2): only a newer build can open it.
                throw new CliException(ex.Message);
            }
            catch (System.Data.Common.DbException ex)
            {
                throw DatabaseErrors.Explain(ex);
            }
            finally
            {
                if (client is not null)
                {
                    await client.StopAsync(CancellationToken.None);
                    client.Dispose();
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static int InRange(int value, int min, int max, string flag) =>
        value >= min && value <= max ? value : throw new CliException($"{flag} must be {min} to {max} (got {value}).");

    private static string ParseUrls(string value)
    {
        foreach (var url in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new CliException($"--urls '{url}' is not an http(s) URL; e.g. --urls http://127.0.0.1:5080.");
            }
        }

        return value;
    }

    private static string ParseOrigin(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/"
            ? value.TrimEnd('/')
            : throw new CliException($"--cors-origin '{value}' is not an origin; e.g. --cors-origin https://dashboard.example.com.");
}
