using System.Security.Cryptography;
using System.Text;
using AiTrader.Core.Tests.Journal;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

/// <summary><c>aitrader webhook secret|sign</c>: a secret the service accepts, and the headers of a body signed as the
/// service checks them; the signature is worked out here with HMAC-SHA256 directly.</summary>
[Trait("Category", "Cli")]
[Collection(EnvironmentCollection.Name)]
public sealed class WebhookCliTests : IDisposable
{
    private readonly IsolatedStateDirectory _state = new("AITRADER_WEBHOOK_SECRET");

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Secret_prints_64_fresh_hex_digits()
    {
        var (code, first, err) = await CliRunner.Run("webhook", "secret");
        Assert.True(code == 0, err);
        var (_, second, _) = await CliRunner.Run("webhook", "secret");
        Assert.Matches("^[0-9a-f]{64}$", first.Trim());
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Sign_writes_the_hmac_of_the_exact_bytes_and_the_time_of_signing()
    {
        const string secret = "0123456789abcdef0123456789abcdef-test";
        Environment.SetEnvironmentVariable("AITRADER_WEBHOOK_SECRET", secret);
        Directory.CreateDirectory(_state.Path);
        var body = Path.Combine(_state.Path, "alert.json");
        var bytes = Encoding.UTF8.GetBytes("{\"id\":\"alert-1\",\"action\":\"kill_switch\",\"session\":\"all\"}\n");
        await File.WriteAllBytesAsync(body, bytes);
        var headers = Path.Combine(_state.Path, "alert.headers");

        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var (code, output, err) = await CliRunner.Run("webhook", "sign", body, "--out", headers);
        var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        Assert.True(code == 0, err);
        Assert.Equal("", output);
        Assert.Contains("X-Signature and X-Timestamp", err, StringComparison.Ordinal);
        var lines = (await File.ReadAllTextAsync(headers)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), bytes));
        Assert.Equal($"X-Signature: sha256={expected}", lines[0]);
        Assert.StartsWith("X-Timestamp: ", lines[1], StringComparison.Ordinal);
        Assert.InRange(long.Parse(lines[1]["X-Timestamp: ".Length..], System.Globalization.CultureInfo.InvariantCulture), before, after);

        // Without --out, the same signature on standard output.
        (code, output, _) = await CliRunner.Run("webhook", "sign", body);
        Assert.Equal(0, code);
        Assert.StartsWith($"X-Signature: sha256={expected}\nX-Timestamp: ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_without_a_secret_or_with_a_short_one_says_so_and_writes_nothing()
    {
        Directory.CreateDirectory(_state.Path);
        var body = Path.Combine(_state.Path, "alert.json");
        await File.WriteAllTextAsync(body, "{}");
        var headers = Path.Combine(_state.Path, "alert.headers");

        var (code, _, err) = await CliRunner.Run("webhook", "sign", body, "--out", headers);
        Assert.Equal(2, code);
        Assert.Equal("error: AITRADER_WEBHOOK_SECRET is not set; set it to the service's webhook secret (make one with `aitrader webhook secret`).", err.Trim());

        Environment.SetEnvironmentVariable("AITRADER_WEBHOOK_SECRET", "too-short");
        (code, _, err) = await CliRunner.Run("webhook", "sign", body, "--out", headers);
        Assert.Equal(2, code);
        Assert.Equal("error: AITRADER_WEBHOOK_SECRET must be at least 32 characters; generate one with `aitrader webhook secret`.", err.Trim());
        Assert.False(File.Exists(headers));
    }
}
