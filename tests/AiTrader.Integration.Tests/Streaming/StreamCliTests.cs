using System.Globalization;
using AiTrader.Cli;
using AiTrader.Cli.Commands;
using AiTrader.Core.Sessions;
using AiTrader.Integration.Tests.TestSupport;

namespace AiTrader.Integration.Tests.Streaming;

/// <summary>Runs tests that change process environment variables one at a time, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "process environment";
}

[Collection(EnvironmentCollection.Name)]
public sealed class StreamCliTests : IDisposable
{
    private static readonly string[] Variables =
        ["ALPACA_STREAM_URL", "ALPACA_DATA_BASE_URL", "APCA_API_KEY_ID", "APCA_API_SECRET_KEY", "ALPACA_DATA_FEED"];

    private readonly ScopedEnvironment _environment = new(Variables);

    public void Dispose() => _environment.Dispose();

    private static async Task<(int Code, string[] Lines, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter(CultureInfo.InvariantCulture);
        var stderr = new StringWriter(CultureInfo.InvariantCulture);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var code = await AiTraderApp.RunAsync(args, stdout, stderr, timeout.Token);
        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
        return (code, lines, stderr.ToString());
    }

    [Fact]
    public async Task Replay_prints_the_header_and_max_bars_rows()
    {
        var (code, lines, err) = await Run("stream", "--symbols", "SPY,IBM", "--vendor", "replay", "--start", "2013-10-07", "--end", "2013-10-08", "--max-bars", "5");

        Assert.True(code == 0, err);
        Assert.Equal(StreamCommand.Header, lines[0]);
        Assert.Equal(6, lines.Length);
        Assert.All(lines.Skip(1), l =>
        {
            var f = l.Split(',');
            Assert.Equal(8, f.Length);
            Assert.Contains(f[0], new[] { "SPY", "IBM" });
            Assert.Equal(new DateOnly(2013, 10, 7), ExchangeTime.SessionDate(DateTime.Parse(f[1], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal)));
            Assert.Equal("replay", f[7]);
        });
    }

    [Fact]
    public async Task Without_keys_the_default_is_replay_and_stderr_says_so()
    {
        var (code, lines, err) = await Run("stream", "--symbols", "SPY", "--max-bars", "2", "--start", "2013-10-07");

        Assert.Equal(0, code);
        Assert.Equal(3, lines.Length);
        Assert.Contains("not set", err);
        Assert.Contains("replay", err);
    }

    [Fact]
    public async Task Alpaca_without_keys_is_one_line_and_exit_2()
    {
        var (code, lines, err) = await Run("stream", "--symbols", "SPY", "--vendor", "alpaca", "--max-bars", "2");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Empty(lines);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("APCA_API_KEY_ID", err);
    }

    [Theory]
    [InlineData("--duration", "10x")]
    [InlineData("--max-bars", "0")]
    [InlineData("--speed", "fast")]
    [InlineData("--vendor", "yahoo")]
    public async Task Bad_flags_are_one_line_and_exit_2(string flag, string value)
    {
        var (code, _, err) = await Run("stream", "--symbols", "SPY", "--vendor", flag == "--vendor" ? value : "replay", flag, value);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Duration_stops_a_paced_replay()
    {
        var (code, lines, err) = await Run("stream", "--symbols", "SPY", "--vendor", "replay", "--start", "2013-10-07", "--speed", "1", "--duration", "300ms");

        Assert.True(code == 0, err);
        Assert.Equal(StreamCommand.Header, lines[0]);
        Assert.InRange(lines.Length, 1, 3);
        Assert.Contains("--duration", err);
    }

    [Fact]
    public async Task Alpaca_against_the_fake_survives_a_drop_and_marks_backfilled_minutes()
    {
        await using var fake = await StreamTestKit.StartAsync();
        var spy = StreamTestKit.Spy.Take(40).ToList();
        fake.RestBars["SPY"] = spy;
        var skipped = new HashSet<int> { 5, 6, 20, 21, 22 }; // 20..22 are lost in the drop, 5..6 skipped live
        fake.Scripts.Add(new StreamScript(StreamTestKit.Frames(spy.Take(20).Where((_, i) => !skipped.Contains(i)).Select(b => ("SPY", b))), StreamEnd.Drop, DropAfterRestRequests: 1));
        fake.Scripts.Add(new StreamScript(StreamTestKit.Frames(spy.Skip(23).Select(b => ("SPY", b)))));
        _environment.Set(StreamTestKit.Environment(fake));

        var (code, lines, err) = await Run("stream", "--symbols", "SPY", "--vendor", "alpaca", "--max-bars", "40");

        Assert.True(code == 0, err);
        Assert.Equal(StreamCommand.Header, lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(spy.Select(b => b.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)), rows.Select(r => r[1]));
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Equal(skipped.Contains(i) ? "backfill" : "stream", rows[i][7]);
        }

        Assert.Equal(spy[0].Close.ToString(CultureInfo.InvariantCulture), rows[0][5]);
        Assert.DoesNotContain(fake.ApiKey, err);
        Assert.Equal(2, fake.Connections);
    }

    [Fact]
    public async Task Alpaca_with_rejected_keys_is_one_line_exit_2_without_the_key()
    {
        await using var fake = await StreamTestKit.StartAsync();
        _environment.Set(StreamTestKit.Environment(fake));
        _environment.Set("APCA_API_KEY_ID", "PKBADKEY-0001");
        _environment.Set("APCA_API_SECRET_KEY", "BADSECRET-0002");

        var (code, lines, err) = await Run("stream", "--symbols", "SPY", "--max-bars", "3");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal([StreamCommand.Header], lines);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("auth failed", err);
        Assert.DoesNotContain("PKBADKEY-0001", err);
        Assert.DoesNotContain("BADSECRET-0002", err);
        Assert.Equal(1, fake.Connections);
    }
}
