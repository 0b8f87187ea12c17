using System.Globalization;
using System.Text;
using System.Text.Json;
using AiTrader.Cli;
using AiTrader.Core.Agents;
using AiTrader.Core.Domain;
using AiTrader.Core.Journal;
using AiTrader.Integration.Tests.Streaming;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Storage;

namespace AiTrader.Integration.Tests.Trading;

/// <summary><c>aitrader trade</c> without --replay: the loop on the loopback Alpaca stream, at the paper broker or (--live) the fake Alpaca trading server.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class TradeCliLiveTests : IDisposable
{
    private static readonly string[] Variables =
    [
        "ALPACA_STREAM_URL", "ALPACA_DATA_BASE_URL", "APCA_API_KEY_ID", "APCA_API_SECRET_KEY", "ALPACA_DATA_FEED",
        "ALPACA_TRADING_BASE_URL", "ALPACA_TRADING_STREAM_URL", "AITRADER_DATA_DIR", "DATABASE_URL", "WATCHLIST_TEXT",
    ];

    private readonly ScopedEnvironment _environment = new(Variables);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "aitrader-trade-live-" + Guid.NewGuid().ToString("N"));

    public TradeCliLiveTests() => _environment.Set("AITRADER_DATA_DIR", _dataDir);

    public void Dispose()
    {
        _environment.Dispose();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    /// <summary>SPY and IBM minute bars of 2013-10-07 from the fake stream, which the process environment points at.</summary>
    private async Task<FakeAlpacaStream> StreamAsync(int minutes)
    {
        var fake = await StreamTestKit.StartSpyAndIbmAsync(minutes);
        _environment.Set(StreamTestKit.Environment(fake));
        return fake;
    }

    /// <summary>The fake Alpaca trading server with the stream's keys and a cash account the strategy can size from (the
    /// default fake account has negative cash on margin), which the process environment points at.</summary>
    private async Task<FakeAlpacaTrading> BrokerAsync(FakeAlpacaStream stream)
    {
        var trading = await TradingTestKit.StartFakeAsync();
        trading.ApiKey = stream.ApiKey;
        trading.ApiSecret = stream.ApiSecret;
        trading.AccountJson = trading.AccountJson.Replace("\"cash\":\"-23140.2\"", "\"cash\":\"103820.56\"", StringComparison.Ordinal);
        _environment.Set("ALPACA_TRADING_BASE_URL", trading.BaseUrl.ToString());
        return trading;
    }

    /// <summary><c>aitrader trade</c> as its own process on this test's data folder, pointed at <paramref name="stream"/>
    /// (none of this process's own variables), with <paramref name="environment"/> added.</summary>
    private System.Diagnostics.Process StartTrade(FakeAlpacaStream stream, Dictionary<string, string> environment, params string[] args)
    {
        var start = CliProcess.StartInfo(["trade", .. args]);
        foreach (var name in Variables)
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in StreamTestKit.Environment(stream).Concat(environment))
        {
            start.Environment[name] = value;
        }

        start.Environment["AITRADER_DATA_DIR"] = _dataDir;
        return System.Diagnostics.Process.Start(start)!;
    }

    /// <summary>Asserts the process exited 75 with one line on standard error, an error that says to retry later and no
    /// stack trace, and returns the line.</summary>
    private static string RetryLaterLine(System.Diagnostics.Process process, string stderr)
    {
        Assert.True(process.ExitCode == 75, $"exit {process.ExitCode}: {stderr}");
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.EndsWith("; a temporary failure upstream, retry later.", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        return line;
    }

    private async Task<List<JournalEntry>> JournalAsync(JournalKind? kind = null)
    {
        await using var journal = JournalFactory.Create(null, _dataDir);
        return (await journal.QueryAsync(new JournalQuery(Kind: kind))).ToList();
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(TextWriter stdout, CancellationToken ct, params string[] args)
    {
        var stderr = new StringWriter(CultureInfo.InvariantCulture);
        var code = await AiTraderApp.RunAsync(args, stdout, stderr, ct);
        return (code, stdout.ToString()!, stderr.ToString());
    }

    private static Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return RunAsync(new StringWriter(CultureInfo.InvariantCulture), timeout.Token, args);
    }

    [Fact]
    public async Task Paper_trade_on_the_live_stream_fills_against_the_streamed_bars_and_journals_every_fill()
    {
        await using var fake = await StreamAsync(90);

        var (code, stdout, err) = await RunAsync("trade", "--paper", "--symbols", "SPY,IBM", "--strategy", "breakout",
            "--param", "lookback=5", "--param", "atr_period=5", "--max-bars", "180", "--run-id", "live-paper");

        Assert.True(code == 0, err);
        Assert.Contains("--max-bars reached after 180 bars", stdout);
        var snapshot = TradingSessionRunner.Snapshot.Read(Path.Combine(_dataDir, "paper", "live-paper.json"));
        var state = snapshot.Exchange;
        Assert.NotEmpty(state.Fills);
        Assert.Equal(StreamTestKit.Spy[89].Timestamp, snapshot.LastProcessedUtc);

        // Each fill is at the streamed bar's open (market, 5 bps slippage) or, for a stop, inside that bar's range.
        var streamed = StreamTestKit.Spy.Take(90).Select(b => ("SPY", b)).Concat(StreamTestKit.Ibm.Take(90).Select(b => ("IBM", b)))
            .ToDictionary(x => (x.Item1, x.b.Timestamp), x => x.b);
        foreach (var fill in state.Fills)
        {
            var bar = streamed[(fill.Symbol.Value, fill.Timestamp)];
            var open = Math.Round(bar.Open * (fill.Side == OrderSide.Buy ? 1.0005m : 0.9995m), 4, MidpointRounding.AwayFromZero);
            Assert.True(fill.Price == open || (fill.Price >= bar.Low && fill.Price <= bar.High), $"{fill.Symbol} fill {fill.Price} at {fill.Timestamp:O} vs bar {bar}");
        }

        var fills = await JournalAsync(JournalKind.Fill);
        var clientIds = state.Orders.ToDictionary(o => o.Order.Id, o => o.ClientOrderId);
        Assert.Equal(state.Fills.Select(f => (clientIds[f.OrderId], f.Quantity, f.Price)), fills.Select(f => (f.ClientOrderId, f.Quantity!.Value, f.Price!.Value)));
        // One order entry per order; each stop move is an amendment entry of its order.
        var orderEntries = await JournalAsync(JournalKind.Order);
        Assert.Equal(state.Orders.Count, orderEntries.Count(e => e.EventKey!.StartsWith("live-paper:order:", StringComparison.Ordinal)));
        Assert.Equal(state.StopAmendments.Count, orderEntries.Count(e => e.EventKey!.StartsWith("live-paper:amend:", StringComparison.Ordinal)));
        Assert.All(state.Orders, o => Assert.StartsWith("live-paper-", o.ClientOrderId, StringComparison.Ordinal));
        // The session is not over at 11:00 ET, so no summary yet (a later run writes the day's one).
        Assert.Empty(await JournalAsync(JournalKind.Summary));
    }

    [Fact]
    public async Task An_endless_stream_message_reconnects_and_the_reason_is_journaled_for_the_run()
    {
        await using var fake = await StreamTestKit.StartAsync();
        // The first connection sends 2 MiB of one message (over the 1 MiB bound) and nothing else; the second the bars.
        fake.Scripts.Add(new StreamScript([], OversizeMessageBytes: 2L << 20));
        var bars = StreamTestKit.Spy.Take(20).Select(b => ("SPY", b));
        fake.Scripts.Add(new StreamScript(StreamTestKit.Frames(bars)));
        _environment.Set(StreamTestKit.Environment(fake));

        var (code, stdout, err) = await RunAsync("trade", "--paper", "--symbols", "SPY", "--max-bars", "20", "--run-id", "oversize");

        Assert.True(code == 0, err);
        Assert.Contains(" reconnect ", stdout, StringComparison.Ordinal);
        var reconnects = (await JournalAsync(JournalKind.Decision)).Where(e => e.Reason.StartsWith("stream reconnected: ", StringComparison.Ordinal)).ToList();
        var entry = Assert.Single(reconnects);
        Assert.StartsWith("oversize:reconnect:", entry.EventKey, StringComparison.Ordinal);
        Assert.Contains("1048576", entry.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ctrl_c_stops_between_bar_times_with_the_journal_complete()
    {
        await using var fake = await StreamAsync(90);
        using var interrupt = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        // Ctrl+C lands right after the first fill is reported, in the middle of a bar time.
        var stdout = new SignalWriter(" fill ", interrupt);

        var (code, output, err) = await RunAsync(stdout, interrupt.Token, "trade", "--symbols", "SPY,IBM", "--param", "lookback=5",
            "--param", "atr_period=5", "--run-id", "ctrl-c");

        Assert.True(code == 0, err);
        Assert.Contains("stopped: Ctrl+C", output);
        Assert.Contains("journal complete", output);
        var snapshot = TradingSessionRunner.Snapshot.Read(Path.Combine(_dataDir, "paper", "ctrl-c.json"));
        Assert.NotEmpty(snapshot.Exchange.Fills);
        Assert.True(snapshot.LastProcessedUtc < StreamTestKit.Spy[89].Timestamp, "the run went on to the end of the stream");
        // Everything the exchange did up to the stop is journaled: each order and each fill, once.
        Assert.Equal(snapshot.Exchange.Fills.Count, (await JournalAsync(JournalKind.Fill)).Count);
        Assert.Equal(snapshot.Exchange.Orders.Select(o => o.ClientOrderId),
            (await JournalAsync(JournalKind.Order)).Where(o => o.EventKey!.StartsWith("ctrl-c:order:", StringComparison.Ordinal)).Select(o => o.ClientOrderId));
    }

    /// <summary>The stream drops after an hour of bars and every reconnect after it fails: beyond its retry budget
    /// (ALPACA_STREAM_MAX_RECONNECTS) the <c>aitrader trade</c> process exits 75, "retry later", with one line on standard
    /// error and no stack trace; what it traded before is journaled whole, and its run is left to be resumed.</summary>
    [Fact]
    public async Task A_stream_lost_beyond_its_retry_budget_exits_75_with_one_line_and_the_journal_complete()
    {
        await using var fake = await StreamTestKit.StartAsync();
        var bars = StreamTestKit.Spy.Take(60).Select(b => ("SPY", b)).Concat(StreamTestKit.Ibm.Take(60).Select(b => ("IBM", b)));
        fake.Scripts.Add(new StreamScript(StreamTestKit.Frames(bars), End: StreamEnd.Drop));
        fake.Scripts.Add(new StreamScript([], ErrorAfterConnect: 500));
        fake.Scripts.Add(new StreamScript([], ErrorAfterConnect: 500));
        fake.Scripts.Add(new StreamScript(StreamTestKit.Frames(bars))); // never reached: the budget is two reconnects

        using var process = StartTrade(fake, new() { ["ALPACA_STREAM_MAX_RECONNECTS"] = "2" },
            "--paper", "--symbols", "SPY,IBM", "--param", "lookback=5", "--param", "atr_period=5", "--run-id", "lost");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            await process.WaitForExitAsync(timeout.Token);
        }

        var line = RetryLaterLine(process, await stderr);
        Assert.StartsWith("error: alpaca stream: gave up after 2 reconnect attempts; last error: ", line, StringComparison.Ordinal);
        Assert.Contains("internal error", line, StringComparison.Ordinal);
        // Connected, dropped, then the two reconnects the budget allows.
        Assert.Equal(3, fake.Connections);

        // The hour it traded is in the snapshot and the journal, each order and fill once.
        var output = await stdout;
        Assert.Contains(" fill ", output, StringComparison.Ordinal);
        var snapshot = TradingSessionRunner.Snapshot.Read(Path.Combine(_dataDir, "paper", "lost.json"));
        Assert.Equal(StreamTestKit.Spy[59].Timestamp, snapshot.LastProcessedUtc);
        Assert.NotEmpty(snapshot.Exchange.Fills);
        Assert.Equal(snapshot.Exchange.Fills.Count, (await JournalAsync(JournalKind.Fill)).Count);
        Assert.Equal(snapshot.Exchange.Orders.Select(o => o.ClientOrderId),
            (await JournalAsync(JournalKind.Order)).Where(o => o.EventKey!.StartsWith("lost:order:", StringComparison.Ordinal)).Select(o => o.ClientOrderId));
        // Not stopped and not finished: the same command later resumes it.
        Assert.Equal(RunManifest.Running, new RunRegistry(_dataDir).Load("lost")!.Status);
    }

    /// <summary>The broker's side of exit 75: <c>aitrader trade --live</c> as a real process against the fake Alpaca trading
    /// server, which answers 500 to every request once the first order is booked, past the client's retries. The process
    /// exits 75 ("retry later") with one line on standard error and no stack trace; every order the broker booked is
    /// journaled, none twice; the run is left running, to be resumed.</summary>
    [Fact]
    public async Task A_broker_failing_beyond_its_retry_budget_exits_75_with_one_line_and_nothing_journaled_twice()
    {
        await using var stream = await StreamTestKit.StartSpyAndIbmAsync(60);
        await using var trading = await TradingTestKit.StartFakeAsync();
        trading.ApiKey = stream.ApiKey;
        trading.ApiSecret = stream.ApiSecret;
        trading.AccountJson = trading.AccountJson.Replace("\"cash\":\"-23140.2\"", "\"cash\":\"103820.56\"", StringComparison.Ordinal);

        using var process = StartTrade(stream, new() { ["ALPACA_TRADING_BASE_URL"] = trading.BaseUrl.ToString() },
            "--live", "--confirm-live", "--symbols", "SPY,IBM", "--param", "lookback=5", "--param", "atr_period=5", "--max-bars", "120", "--run-id", "broker-down");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            // The broker goes down once it has booked an order: from then on every request is a 500.
            while (trading.OrderCount == 0 && !process.HasExited)
            {
                await Task.Delay(10, timeout.Token);
            }

            trading.Mode = AiTrader.Integration.Tests.Vendors.Fakes.FakeMode.ServerError;
            await process.WaitForExitAsync(timeout.Token);
        }

        Assert.StartsWith("run broker-down: alpaca-live", await stdout, StringComparison.Ordinal);
        var line = RetryLaterLine(process, await stderr);
        Assert.Contains("500", line, StringComparison.Ordinal);
        Assert.DoesNotContain(trading.ApiSecret, line, StringComparison.Ordinal);

        // Every order the broker booked is in the journal, and no order is journaled twice.
        var booked = trading.OrderBodies.Select(b => JsonDocument.Parse(b).RootElement.GetProperty("client_order_id").GetString()!).ToList();
        Assert.NotEmpty(booked);
        var journaled = (await JournalAsync(JournalKind.Order)).Where(o => o.EventKey!.StartsWith("broker-down:", StringComparison.Ordinal)).ToList();
        Assert.Equal(journaled.Count, journaled.Select(o => o.EventKey).Distinct(StringComparer.Ordinal).Count());
        Assert.All(booked, id => Assert.Contains(journaled, o => o.ClientOrderId == id));
        // Not stopped and not finished: the same command later resumes it.
        Assert.Equal(RunManifest.Running, new RunRegistry(_dataDir).Load("broker-down")!.Status);
    }

    [Fact]
    public async Task Without_keys_the_live_stream_run_is_one_line_naming_the_variables_and_exit_2()
    {
        var (code, stdout, err) = await RunAsync("trade", "--paper", "--symbols", "SPY,AAPL", "--strategy", "breakout");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("APCA_API_KEY_ID", err);
        Assert.Contains("APCA_API_SECRET_KEY", err);
        Assert.DoesNotContain("   at ", err);
        Assert.Empty(stdout);
    }

    [Theory]
    [InlineData("--max-bars", "0")]
    [InlineData("--until", "soon")]
    [InlineData("--max-volume-share", "1.5")]
    [InlineData("--interval", "5Min")]
    public async Task Bad_live_flags_are_one_line_and_exit_2(string flag, string value)
    {
        await using var fake = await StreamAsync(5);

        var (code, _, err) = await RunAsync("trade", "--paper", "--symbols", "SPY", flag, value);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(flag, err);
        Assert.Equal(0, fake.Connections);
    }

    [Fact]
    public async Task Until_stops_at_the_first_bar_stamped_at_or_after_it()
    {
        await using var fake = await StreamAsync(40);
        var until = StreamTestKit.Spy[30].Timestamp;

        var (code, stdout, err) = await RunAsync("trade", "--symbols", "SPY,IBM", "--run-id", "until",
            "--until", until.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

        Assert.True(code == 0, err);
        Assert.Contains("--until reached", stdout);
        var snapshot = TradingSessionRunner.Snapshot.Read(Path.Combine(_dataDir, "paper", "until.json"));
        Assert.Equal(StreamTestKit.Spy[29].Timestamp, snapshot.LastProcessedUtc);
    }

    [Fact]
    public async Task Live_without_confirmation_is_refused_with_exit_2_and_sends_nothing()
    {
        await using var stream = await StreamAsync(30);
        await using var trading = await TradingTestKit.StartFakeAsync();
        _environment.Set("ALPACA_TRADING_BASE_URL", trading.BaseUrl.ToString());

        var (code, _, err) = await RunAsync("trade", "--live", "--symbols", "SPY,IBM");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--confirm-live", err);
        Assert.Equal(0, trading.OrderCount);
        Assert.Equal(0, stream.Connections);
    }

    [Fact]
    public async Task Live_with_confirm_live_sends_the_orders_to_the_alpaca_trading_server_and_journals_them()
    {
        // 25 minutes: the client keeps to Alpaca's 200 requests a minute and the loop reads the account every bar time.
        await using var stream = await StreamAsync(25);
        await using var trading = await BrokerAsync(stream);

        var (code, stdout, err) = await RunAsync("trade", "--live", "--confirm-live", "--symbols", "SPY,IBM", "--param", "lookback=5",
            "--param", "atr_period=5", "--max-bars", "50", "--run-id", "live-real");

        Assert.True(code == 0, err);
        Assert.Contains("alpaca-live", stdout);
        Assert.True(trading.OrderCount > 0, stdout);
        Assert.All(trading.OrderBodies, b => Assert.Contains("\"client_order_id\":\"live-real-", b));
        var orders = (await JournalAsync(JournalKind.Order)).Where(o => o.EventKey!.StartsWith("live-real:order:", StringComparison.Ordinal)).ToList();
        Assert.Equal(trading.OrderCount, orders.Count);
        Assert.All(orders, o => Assert.StartsWith("live-real-", o.ClientOrderId, StringComparison.Ordinal));
        // No paper snapshot: the broker holds the state of a live run.
        Assert.False(File.Exists(Path.Combine(_dataDir, "paper", "live-real.json")));
    }

    /// <summary><c>trade --live --json</c>: standard output is the session's end state alone, as the paper session's
    /// document, with the orders the broker received and the positions the broker reports.</summary>
    [Fact]
    public async Task Live_json_prints_the_end_state_with_the_brokers_positions_and_nothing_else()
    {
        await using var stream = await StreamAsync(25);
        await using var trading = await BrokerAsync(stream);
        // A holding from before the run, in a symbol the run does not trade: the broker's, reported as it is.
        trading.SetPosition("AAPL", 7m, 100m, 101m);

        var (code, stdout, err) = await RunAsync("trade", "--live", "--confirm-live", "--symbols", "SPY,IBM", "--param", "lookback=5",
            "--param", "atr_period=5", "--max-bars", "50", "--run-id", "live-json", "--json");

        Assert.True(code == 0, err);
        using var printed = JsonDocument.Parse(stdout); // the whole of stdout is one document
        var root = printed.RootElement;
        Assert.Equal("live-json", root.GetProperty("run_id").GetString());
        Assert.Equal("alpaca-live", root.GetProperty("broker").GetString());
        Assert.Equal("--max-bars reached", root.GetProperty("stop_reason").GetString());
        Assert.Equal(50, root.GetProperty("stream_bars").GetInt32());
        Assert.Equal(trading.OrderCount, root.GetProperty("orders").GetInt32());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("round_trips").ValueKind);
        Assert.Contains(root.GetProperty("open_positions").EnumerateArray(),
            p => p.GetProperty("symbol").GetString() == "AAPL" && p.GetProperty("quantity").GetDecimal() == 7m);
        // The run's lines went to standard error.
        Assert.Contains("run live-json:", err, StringComparison.Ordinal);
    }

    /// <summary>A stdout that cancels <paramref name="cts"/> once a line containing <paramref name="marker"/> is written.</summary>
    private sealed class SignalWriter(string marker, CancellationTokenSource cts) : StringWriter(CultureInfo.InvariantCulture)
    {
        private readonly StringBuilder _line = new();

        public override void Write(char value)
        {
            base.Write(value);
            if (value != '\n')
            {
                _line.Append(value);
                return;
            }

            if (_line.ToString().Contains(marker, StringComparison.Ordinal))
            {
                cts.Cancel();
            }

            _line.Clear();
        }

        public override void Write(string? value)
        {
            foreach (var c in value ?? "")
            {
                Write(c);
            }
        }

        public override void WriteLine(string? value)
        {
            Write(value);
            Write('\n');
        }
    }
}
