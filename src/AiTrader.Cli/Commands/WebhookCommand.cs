using System.CommandLine;
using System.Globalization;
using AiTrader.Core.IO;
using AiTrader.Service;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader webhook secret|sign</c>: a shared secret for <c>/webhooks/alerts</c>, and the two headers a
/// delivery of a body needs, signed as the service checks them (<see cref="WebhookSignature"/>).</summary>
public static class WebhookCommand
{
    public static Command Create(TextWriter stdout, Func<string, string?>? environment = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        var env = environment ?? Environment.GetEnvironmentVariable;
        var clock = time ?? TimeProvider.System;

        var secret = new Command("secret", $"Print a new random secret (64 hex digits) for {WebhookSignature.SecretVariable}.");
        secret.SetAction(async (_, _) =>
        {
            await stdout.WriteLineAsync(WebhookSignature.NewSecret());
            return ExitCodes.Ok;
        });

        var body = new Argument<string>("body") { Description = "The file holding the alert exactly as it will be sent (curl --data-binary @FILE), or - for standard input." };
        var output = new Option<string?>("--out") { Description = "Write the headers to this file (curl -H @FILE reads it). [default: standard output]" };
        var sign = new Command("sign",
            $"Sign an alert for /webhooks/alerts with {WebhookSignature.SecretVariable}: print its {WebhookSignature.SignatureHeader} and {WebhookSignature.TimestampHeader} headers (valid for {WebhookSignature.Tolerance.TotalMinutes:0} minutes).")
        {
            body, output,
        };
        sign.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(body)!;
            var outPath = parse.GetValue(output);
            OutputPath.CheckFile(outPath, "--out");
            byte[]? key;
            try
            {
                key = WebhookSignature.SecretFrom(env);
            }
            catch (ArgumentException ex)
            {
                throw new CliException(ex.Message);
            }

            if (key is null)
            {
                throw new CliException($"{WebhookSignature.SecretVariable} is not set; set it to the service's webhook secret (make one with `aitrader webhook secret`).");
            }

            byte[] bytes;
            if (path == "-")
            {
                using var buffer = new MemoryStream();
                await Console.OpenStandardInput().CopyToAsync(buffer, ct);
                bytes = buffer.ToArray();
            }
            else if (!File.Exists(path))
            {
                throw new CliException($"body '{path}' does not exist; give the file holding the alert, e.g. alert.json.");
            }
            else
            {
                bytes = await File.ReadAllBytesAsync(path, ct);
            }

            if (bytes.Length == 0)
            {
                throw new CliException($"body '{path}' is empty; an alert is a JSON object, e.g. {{\"id\":\"alert-1\",\"action\":\"kill_switch\",\"session\":\"all\"}}.");
            }

            var headers = $"{WebhookSignature.SignatureHeader}: {WebhookSignature.Sign(key, bytes)}\n" +
                $"{WebhookSignature.TimestampHeader}: {clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)}\n";
            if (string.IsNullOrWhiteSpace(outPath) || outPath == "-")
            {
                await stdout.WriteAsync(headers);
                return ExitCodes.Ok;
            }

            AtomicFile.WriteAllText(outPath, headers);
            await parse.InvocationConfiguration.Error.WriteLineAsync(
                $"wrote {DisplayPath.Of(outPath)} ({WebhookSignature.SignatureHeader} and {WebhookSignature.TimestampHeader} of {(path == "-" ? "standard input" : DisplayPath.Of(path))}; send it within {WebhookSignature.Tolerance.TotalMinutes:0} minutes)");
            return ExitCodes.Ok;
        });

        return new Command("webhook", "Sign alerts for the service's /webhooks/alerts.") { secret, sign };
    }
}
