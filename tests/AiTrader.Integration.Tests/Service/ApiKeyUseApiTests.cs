using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiTrader.Integration.Tests.Streaming;
using AiTrader.Integration.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace AiTrader.Integration.Tests.Service;

/// <summary>The service records when each key was last used, at most once a minute per key, and shows it in
/// <c>GET /api/keys</c> and <c>aitrader apikey list</c>; never a key.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class ApiKeyUseApiTests
{
    /// <summary>A clock the test moves by hand (timers still run on real time).</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task A_keys_last_use_is_written_at_most_once_a_minute_and_listed_by_the_api_and_the_cli()
    {
        var start = new DateTimeOffset(2026, 12, 7, 15, 0, 0, TimeSpan.Zero);
        var clock = new ManualClock(start);
        await using var host = await ServiceHost.StartAsync(configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var reader = host.Client(host.ReadKey);
        using var trader = host.Client(host.TraderKey);
        var readId = host.ReadKey.Split('_')[1];
        var traderId = host.TraderKey.Split('_')[1];

        async Task<Dictionary<string, JsonElement>> KeysAsync()
        {
            var text = await trader.GetStringAsync("/api/keys");
            Assert.DoesNotContain(host.ReadKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(host.TraderKey, text, StringComparison.Ordinal);
            return JsonDocument.Parse(text).RootElement.EnumerateArray().ToDictionary(k => k.GetProperty("id").GetString()!);
        }

        DateTime? LastUsed(JsonElement key) =>
            key.GetProperty("last_used_at").ValueKind == JsonValueKind.Null ? null : key.GetProperty("last_used_at").GetDateTime().ToUniversalTime();

        // Only a trader lists keys; the read key has not been used yet.
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.GetAsync("/api/keys")).StatusCode);
        var keys = await KeysAsync();
        Assert.Equal(start.UtcDateTime, LastUsed(keys[traderId]));
        Assert.Equal(start.UtcDateTime, LastUsed(keys[readId])); // the 403 above was still an authenticated use
        Assert.Equal("read", keys[readId].GetProperty("role").GetString());

        // Used again within the minute: not written again.
        clock.Now = start.AddSeconds(59);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/strategies")).StatusCode);
        Assert.Equal(start.UtcDateTime, LastUsed((await KeysAsync())[readId]));

        // A minute after the last write: written.
        clock.Now = start.AddSeconds(61);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/strategies")).StatusCode);
        keys = await KeysAsync();
        Assert.Equal(start.AddSeconds(61).UtcDateTime, LastUsed(keys[readId]));
        Assert.Equal(start.AddSeconds(61).UtcDateTime, LastUsed(keys[traderId]));

        // A refused key is no use.
        using var wrong = host.Client(host.ReadKey[..^1] + (host.ReadKey[^1] == 'A' ? 'B' : 'A'));
        clock.Now = start.AddMinutes(5);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("/api/strategies")).StatusCode);
        Assert.Equal(start.AddSeconds(61).UtcDateTime, LastUsed((await KeysAsync())[readId]));

        using var environment = new ScopedEnvironment("DATABASE_URL");
        environment.Set("AITRADER_DATA_DIR", host.Settings.DataDir);
        var (code, output, err) = await CliRunner.Run("apikey", "list");
        Assert.True(code == 0, err);
        Assert.Contains("last used (UTC)", output, StringComparison.Ordinal);
        var readRow = Assert.Single(output.Split('\n'), l => l.Contains(readId, StringComparison.Ordinal));
        Assert.EndsWith("│ 2026-12-07 15:01:01 │", readRow.TrimEnd(), StringComparison.Ordinal);
        var traderRow = Assert.Single(output.Split('\n'), l => l.Contains(traderId, StringComparison.Ordinal));
        Assert.EndsWith("│ 2026-12-07 15:05:00 │", traderRow.TrimEnd(), StringComparison.Ordinal);

        // One shape for both surfaces: the CLI's --json is the API's document, byte for byte.
        var api = await trader.GetStringAsync("/api/keys");
        (code, output, err) = await CliRunner.Run("apikey", "list", "--json");
        Assert.True(code == 0, err);
        Assert.Equal(api, output.TrimEnd('\n'));
        Assert.Equal("2026-12-07T15:05:00Z", JsonDocument.Parse(api).RootElement.EnumerateArray()
            .Single(k => k.GetProperty("id").GetString() == traderId).GetProperty("last_used_at").GetString());
    }
}
