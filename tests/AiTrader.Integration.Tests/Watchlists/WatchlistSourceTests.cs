using AiTrader.Core.Watchlists;
using AiTrader.Integration.Tests.Vendors;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData.Watchlists;

namespace AiTrader.Integration.Tests.Watchlists;

/// <summary>Each watchlist source against a loopback fake speaking its wire format, including rate limits, empty and
/// malformed answers; and the auto chain's order.</summary>
public sealed class WatchlistSourceTests
{
    private static readonly DateTime Now = DateTime.UtcNow;

    private static WatchlistSources Sources(Dictionary<string, string?> env) =>
        WatchlistSources.FromEnvironment(k => env.GetValueOrDefault(k), ["IBM", "SPY"],
            configureVendors: s => s.WithResilience(VendorTestKit.FastRetry, VendorTestKit.AttemptTimeout));

    private static async Task<WatchlistSourceException> Fails(IWatchlistSource source, WatchlistSourceFailure kind, params string[] secrets)
    {
        var ex = await Assert.ThrowsAsync<WatchlistSourceException>(() => source.FetchAsync());
        Assert.Equal(kind, ex.Failure);
        Assert.DoesNotContain('\n', ex.Message);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, ex.Message);
        }

        return ex;
    }

    private static Dictionary<string, string?> AlphaEnv(FakeAlphaVantage f) => new() { ["ALPHAVANTAGE_API_KEY"] = f.ApiKey, ["ALPHAVANTAGE_BASE_URL"] = f.BaseUrl.ToString() };

    private static Dictionary<string, string?> FinnhubEnv(FakeFinnhub f) => new() { ["FINNHUB_API_KEY"] = f.ApiKey, ["FINNHUB_BASE_URL"] = new Uri(f.BaseUrl, "api/v1").ToString() };

    private static Dictionary<string, string?> TwelveEnv(FakeTwelveData f) => new() { ["TWELVEDATA_API_KEY"] = f.ApiKey, ["TWELVEDATA_BASE_URL"] = f.BaseUrl.ToString() };

    private static Dictionary<string, string?> DiscordEnv(FakeDiscord f) => new()
    {
        ["TEXTLIST_BACKENDS"] = "discord",
        ["DISCORD_BOT_TOKEN"] = f.Token,
        ["DISCORD_CHANNEL_ID"] = f.ChannelId,
        ["DISCORD_BASE_URL"] = f.ApiBase.ToString(),
    };

    private static Dictionary<string, string?> Merge(params Dictionary<string, string?>[] parts) =>
        parts.SelectMany(p => p).ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public async Task Alpha_listing_status_csv_gives_active_symbols_and_the_directory()
    {
        await using var fake = await VendorTestKit.StartAsync<FakeAlphaVantage>();
        fake.ListingBody = "symbol,name,exchange,assetType,ipoDate,delistingDate,status\r\nAAPL,Apple Inc,NASDAQ,Stock,1980-12-12,null,Active\r\nBRK-B,Berkshire Hathaway Inc,NYSE,Stock,1996-05-09,null,Active\r\nAAA,AXS First Priority CLO Bond ETF,NYSE ARCA,ETF,2020-09-09,null,Active\r\n";
        var answer = await Sources(AlphaEnv(fake)).Get("alpha").FetchAsync();

        Assert.Equal(["AAPL", "BRK.B", "AAA"], answer.Symbols.Select(s => s.Text));
        Assert.All(answer.Symbols, s => Assert.Equal("alpha", s.Tag));
        Assert.Contains("BRK.B", answer.Listing!);
        Assert.Contains("function=LISTING_STATUS", fake.Requests.Single());
    }

    [Theory]
    [InlineData(FakeMode.RateLimitBody, WatchlistSourceFailure.RateLimited)]
    [InlineData(FakeMode.Html, WatchlistSourceFailure.Malformed)]
    [InlineData(FakeMode.Truncated, WatchlistSourceFailure.Malformed)]
    [InlineData(FakeMode.Unauthorized, WatchlistSourceFailure.Failed)]
    public async Task Alpha_failures_are_typed(FakeMode mode, WatchlistSourceFailure kind)
    {
        await using var fake = await VendorTestKit.StartAsync<FakeAlphaVantage>();
        fake.Mode = mode;
        var ex = await Fails(Sources(AlphaEnv(fake)).Get("alpha"), kind, fake.ApiKey);
        Assert.StartsWith("alpha: alphavantage:", ex.Message);
    }

    [Theory]
    [InlineData("symbol,name,exchange,assetType,ipoDate,delistingDate,status\r\n", WatchlistSourceFailure.Empty)]
    [InlineData("symbol,name,exchange,assetType,ipoDate,delistingDate,status\r\nWM,Washington Mutual,NYSE,Stock,1990-01-01,2008-09-26,Delisted\r\n", WatchlistSourceFailure.Empty)]
    [InlineData("timestamp,open,high\r\n1,2,3\r\n", WatchlistSourceFailure.Malformed)]
    public async Task Alpha_empty_and_malformed_csv(string csv, WatchlistSourceFailure kind)
    {
        await using var fake = await VendorTestKit.StartAsync<FakeAlphaVantage>();
        fake.ListingBody = csv;
        await Fails(Sources(AlphaEnv(fake)).Get("alpha"), kind);
    }

    [Theory]
    [InlineData(FakeMode.Normal, null, null)]
    [InlineData(FakeMode.Http429, null, WatchlistSourceFailure.RateLimited)]
    [InlineData(FakeMode.RateLimitBody, null, WatchlistSourceFailure.RateLimited)]
    [InlineData(FakeMode.Unauthorized, null, WatchlistSourceFailure.Failed)]
    [InlineData(FakeMode.Truncated, null, WatchlistSourceFailure.Malformed)]
    [InlineData(FakeMode.Normal, "[]", WatchlistSourceFailure.Empty)]
    [InlineData(FakeMode.Normal, "{\"symbols\":[]}", WatchlistSourceFailure.Malformed)]
    public async Task Finnhub_stock_symbol_listing(FakeMode mode, string? body, WatchlistSourceFailure? kind)
    {
        await using var fake = await VendorTestKit.StartAsync<FakeFinnhub>();
        fake.Mode = mode;
        fake.BodyOverride = body;
        var source = Sources(FinnhubEnv(fake)).Get("finnhub");
        if (kind is { } k)
        {
            var ex = await Fails(source, k, fake.ApiKey);
            // The vendor's message names it already: "finnhub: ...", not "finnhub: finnhub: ...".
            Assert.DoesNotContain("finnhub: finnhub:", ex.Message, StringComparison.Ordinal);
            return;
        }

        var answer = await source.FetchAsync();
        Assert.Equal(["AAPL", "SPY"], answer.Symbols.Select(s => s.Text));
        Assert.Contains("exchange=US", fake.Requests.Single());
    }

    [Theory]
    [InlineData(FakeMode.Normal, null, null)]
    [InlineData(FakeMode.RateLimitBody, null, WatchlistSourceFailure.RateLimited)]
    [InlineData(FakeMode.Http429, null, WatchlistSourceFailure.RateLimited)]
    [InlineData(FakeMode.Html, null, WatchlistSourceFailure.Malformed)]
    [InlineData(FakeMode.Normal, "{\"data\":[],\"status\":\"ok\"}", WatchlistSourceFailure.Empty)]
    public async Task Twelvedata_stocks_listing(FakeMode mode, string? body, WatchlistSourceFailure? kind)
    {
        await using var fake = await VendorTestKit.StartAsync<FakeTwelveData>();
        fake.Mode = mode;
        fake.StocksBody = body;
        var source = Sources(TwelveEnv(fake)).Get("twelvedata");
        if (kind is { } k)
        {
            await Fails(source, k, fake.ApiKey);
            return;
        }

        Assert.Equal(["AAPL"], (await source.FetchAsync()).Symbols.Select(s => s.Text));
    }

    [Fact]
    public async Task Discord_pages_forward_with_after_and_parses_cashtags_and_tickers()
    {
        await using var fake = await VendorTestKit.StartAsync<FakeDiscord>();
        for (var i = 0; i < 230; i++)
        {
            fake.Add(Now.AddMinutes(-230 + i), i switch
            {
                5 => "Watching $nvda and BRK/B today, CEO says go",
                100 => "AMD looks strong",
                229 => "closing $TSLA",
                _ => "good morning",
            });
        }

        fake.Add(Now.AddDays(-3), "old news $GME"); // outside the 24-hour lookback

        var answer = await Sources(DiscordEnv(fake)).Get("textlist").FetchAsync();

        // Newest message first; each ticker once per message; words like CEO and GO are not tickers.
        Assert.Equal(["TSLA", "AMD", "NVDA", "BRK/B"], answer.Symbols.Select(s => s.Text));
        Assert.All(answer.Symbols, s => Assert.Equal("discord", s.Tag));
        var requests = fake.Requests.ToList();
        Assert.Equal(3, requests.Count); // 100 + 100 + 30
        Assert.All(requests, r => Assert.Contains("limit=100", r));
        var afters = requests.Select(r => ulong.Parse(r[(r.IndexOf("after=", StringComparison.Ordinal) + 6)..])).ToList();
        var ordered = fake.Messages.Where(m => m.SentUtc > Now.AddDays(-1)).Select(m => m.Id).Order().ToList();
        Assert.Equal(ordered[99], afters[1]);
        Assert.Equal(ordered[199], afters[2]);
        Assert.True(afters[0] < ordered[0]);
    }

    [Fact]
    public async Task Discord_429_retry_after_is_honoured()
    {
        await using var fake = await VendorTestKit.StartAsync<FakeDiscord>();
        fake.Add(Now.AddMinutes(-1), "$SPY");
        fake.RateLimits = 2;
        fake.RetryAfterSeconds = 0.05;

        var answer = await Sources(DiscordEnv(fake)).Get("textlist").FetchAsync();

        Assert.Equal(["SPY"], answer.Symbols.Select(s => s.Text));
        Assert.Equal(3, fake.RequestCount);
    }

    [Fact]
    public async Task Discord_429_longer_than_the_wait_cap_is_a_rate_limit()
    {
        await using var fake = await VendorTestKit.StartAsync<FakeDiscord>();
        fake.Add(Now.AddMinutes(-1), "$SPY");
        fake.RateLimits = 1;
        fake.RetryAfterSeconds = 64.57;

        var ex = await Fails(Sources(DiscordEnv(fake)).Get("textlist"), WatchlistSourceFailure.RateLimited, fake.Token);
        Assert.Contains("retry_after 64.57s", ex.Message);
        Assert.Equal(1, fake.RequestCount);
    }

    [Theory]
    [InlineData(FakeMode.Truncated, WatchlistSourceFailure.Malformed)]
    [InlineData(FakeMode.Html, WatchlistSourceFailure.Malformed)]
    [InlineData(FakeMode.ServerError, WatchlistSourceFailure.Failed)]
    [InlineData(FakeMode.Empty, WatchlistSourceFailure.Empty)]
    public async Task Discord_failures_are_typed(FakeMode mode, WatchlistSourceFailure kind)
    {
        await using var fake = await VendorTestKit.StartAsync<FakeDiscord>();
        fake.Add(Now.AddMinutes(-1), "$SPY");
        fake.Mode = mode;
        await Fails(Sources(DiscordEnv(fake)).Get("textlist"), kind, fake.Token);
    }

    [Fact]
    public async Task Discord_bad_token_and_channel_name_the_setting()
    {
        await using var fake = await VendorTestKit.StartAsync<FakeDiscord>();
        var env = DiscordEnv(fake);
        env["DISCORD_BOT_TOKEN"] = "WRONG-TOKEN-XYZ";
        Assert.Contains("DISCORD_BOT_TOKEN", (await Fails(Sources(env).Get("textlist"), WatchlistSourceFailure.Failed, "WRONG-TOKEN-XYZ")).Message);
        env = DiscordEnv(fake);
        env["DISCORD_CHANNEL_ID"] = "1";
        Assert.Contains("DISCORD_CHANNEL_ID", (await Fails(Sources(env).Get("textlist"), WatchlistSourceFailure.Failed)).Message);
    }

    [Fact]
    public async Task Signal_receive_reads_data_and_sent_messages_and_skips_receipts()
    {
        await using var fake = await VendorTestKit.StartAsync<FakeSignalCli>();
        fake.AddText("buying $AAPL and msft? no: MSFT");
        fake.AddReceipt();
        fake.AddTyping();
        fake.AddSent("$brk.b for the long run", 1631458600000);
        var env = new Dictionary<string, string?> { ["TEXTLIST_BACKENDS"] = "signal", ["SIGNAL_CLI_URL"] = fake.BaseUrl.ToString(), ["SIGNAL_NUMBER"] = fake.Number };

        var answer = await Sources(env).Get("textlist").FetchAsync();

        Assert.Equal(["BRK.B", "AAPL", "MSFT"], answer.Symbols.Select(s => s.Text));
        Assert.All(answer.Symbols, s => Assert.Equal("signal", s.Tag));
        Assert.Equal("/v1/receive/+15551234567", fake.Requests.Single()); // the client sends %2B; the server logs the decoded path
        Assert.Empty(fake.Queue); // received messages leave the queue
    }

    [Theory]
    [InlineData(true, FakeMode.Normal, WatchlistSourceFailure.Failed, "json-rpc")]
    [InlineData(false, FakeMode.Truncated, WatchlistSourceFailure.Malformed, "invalid JSON")]
    [InlineData(false, FakeMode.Http429, WatchlistSourceFailure.RateLimited, "429")]
    [InlineData(false, FakeMode.Normal, WatchlistSourceFailure.Empty, "no ticker")]
    public async Task Signal_failures_are_typed(bool jsonRpc, FakeMode mode, WatchlistSourceFailure kind, string text)
    {
        await using var fake = await VendorTestKit.StartAsync<FakeSignalCli>();
        fake.JsonRpcMode = jsonRpc;
        fake.Mode = mode;
        if (kind != WatchlistSourceFailure.Empty)
        {
            fake.AddText("$SPY");
        }

        var env = new Dictionary<string, string?> { ["TEXTLIST_BACKENDS"] = "signal", ["SIGNAL_CLI_URL"] = fake.BaseUrl.ToString(), ["SIGNAL_NUMBER"] = fake.Number };
        Assert.Contains(text, (await Fails(Sources(env).Get("textlist"), kind)).Message);
    }

    [Fact]
    public async Task Textlist_samples_work_offline_and_one_failing_backend_does_not_sink_the_other()
    {
        var offline = new Dictionary<string, string?> { ["DISCORD_SAMPLE_SYMBOLS"] = "SPY,$aapl,BRK-B", ["SIGNAL_SAMPLE_SYMBOLS"] = "IBM" };
        var answer = await Sources(offline).Get("textlist").FetchAsync();
        Assert.Equal([("SPY", "discord-sample"), ("AAPL", "discord-sample"), ("BRK-B", "discord-sample"), ("IBM", "signal-sample")],
            answer.Symbols.Select(s => (s.Text, s.Tag)));

        await using var signal = await VendorTestKit.StartAsync<FakeSignalCli>();
        signal.JsonRpcMode = true;
        var mixed = new Dictionary<string, string?> { ["DISCORD_SAMPLE_SYMBOLS"] = "SPY", ["SIGNAL_CLI_URL"] = signal.BaseUrl.ToString(), ["SIGNAL_NUMBER"] = signal.Number };
        var partly = await Sources(mixed).Get("textlist").FetchAsync();
        Assert.Equal(["SPY"], partly.Symbols.Select(s => s.Text));
        Assert.Contains(partly.Notes, n => n.Contains("passed over signal", StringComparison.Ordinal));

        await Fails(Sources([]).Get("textlist"), WatchlistSourceFailure.NotConfigured);
    }

    [Fact]
    public async Task Auto_tries_alpha_finnhub_textlist_twelvedata_in_order_and_says_which_served()
    {
        await using var alpha = await VendorTestKit.StartAsync<FakeAlphaVantage>();
        await using var finnhub = await VendorTestKit.StartAsync<FakeFinnhub>();
        await using var discord = await VendorTestKit.StartAsync<FakeDiscord>();
        await using var twelve = await VendorTestKit.StartAsync<FakeTwelveData>();
        alpha.Mode = FakeMode.RateLimitBody;
        finnhub.Mode = FakeMode.Http429;
        discord.Add(Now.AddMinutes(-2), "gappers: $AMD $NVDA");
        var env = Merge(AlphaEnv(alpha), FinnhubEnv(finnhub), DiscordEnv(discord), TwelveEnv(twelve));

        var list = await new WatchlistBuilder().BuildAsync(Sources(env).Get("auto"), "default", Now);

        Assert.Equal("textlist", list.Source);
        Assert.Equal(["AMD", "NVDA"], list.Symbols.Select(s => s.Value));
        var notes = string.Join("\n", list.Notes);
        Assert.True(notes.IndexOf("auto: alpha passed over [rate limited]", StringComparison.Ordinal) < notes.IndexOf("auto: finnhub passed over [rate limited]", StringComparison.Ordinal));
        Assert.Contains("auto: textlist served (after 2 passed over)", notes);
        Assert.Equal(0, twelve.RequestCount);
        Assert.True(alpha.RequestCount >= 1 && finnhub.RequestCount >= 1);
    }

    [Fact]
    public async Task Auto_moves_on_through_malformed_unauthorized_and_empty_to_twelvedata()
    {
        await using var alpha = await VendorTestKit.StartAsync<FakeAlphaVantage>();
        await using var finnhub = await VendorTestKit.StartAsync<FakeFinnhub>();
        await using var discord = await VendorTestKit.StartAsync<FakeDiscord>();
        await using var twelve = await VendorTestKit.StartAsync<FakeTwelveData>();
        alpha.Mode = FakeMode.Html;
        finnhub.Mode = FakeMode.Unauthorized;
        discord.Mode = FakeMode.Empty;
        var env = Merge(AlphaEnv(alpha), FinnhubEnv(finnhub), DiscordEnv(discord), TwelveEnv(twelve));

        var list = await new WatchlistBuilder().BuildAsync(Sources(env).Get("auto"), "default", Now);

        Assert.Equal("twelvedata", list.Source);
        Assert.Equal(["AAPL"], list.Symbols.Select(s => s.Value));
        Assert.Contains(list.Notes, n => n.StartsWith("auto: alpha passed over [malformed]", StringComparison.Ordinal));
        Assert.Contains(list.Notes, n => n.StartsWith("auto: finnhub passed over [failed]", StringComparison.Ordinal));
        Assert.Contains(list.Notes, n => n.StartsWith("auto: textlist passed over [empty]", StringComparison.Ordinal));
        Assert.Equal(1, discord.RequestCount);
    }

    [Fact]
    public async Task Auto_with_no_keys_uses_watchlist_text_then_the_bundled_sample()
    {
        var manual = await new WatchlistBuilder().BuildAsync(Sources(new() { ["WATCHLIST_TEXT"] = "brk/b, SPY,spy,BRK-B,../etc" }).Get("auto"), "default", Now);
        Assert.Equal("manual", manual.Source);
        Assert.Equal(["BRK.B", "SPY"], manual.Symbols.Select(s => s.Value));
        Assert.Contains(manual.Notes, n => n.Contains("auto: alpha passed over [no key] alpha: ALPHAVANTAGE_API_KEY is not set", StringComparison.Ordinal));
        Assert.Contains(manual.Notes, n => n.Contains("dropped 1 text(s) that are not tickers: '../etc'", StringComparison.Ordinal));
        Assert.Contains(manual.Notes, n => n.Contains("removed 2 duplicate(s)", StringComparison.Ordinal));

        var sample = await new WatchlistBuilder().BuildAsync(Sources([]).Get("auto"), "default", Now);
        Assert.Equal("sample", sample.Source);
        Assert.Equal(["IBM", "SPY"], sample.Symbols.Select(s => s.Value));
        Assert.All(sample.Entries, e => Assert.Equal("sample", e.Source));
    }

    [Fact]
    public async Task A_listing_validates_chat_tickers_and_the_cap_applies()
    {
        await using var alpha = await VendorTestKit.StartAsync<FakeAlphaVantage>();
        var env = Merge(AlphaEnv(alpha), new() { ["TEXTLIST_BACKENDS"] = "discord", ["DISCORD_SAMPLE_SYMBOLS"] = "$AAPL TSLA AAA" });
        var sources = Sources(env);

        var list = await new WatchlistBuilder(max: 1).BuildAsync(sources.Get("textlist"), "chat", Now, sources.Validator(k => env.GetValueOrDefault(k)));

        Assert.Equal(["AAPL"], list.Symbols.Select(s => s.Value));
        Assert.Contains(list.Notes, n => n.Contains("dropped 1 symbol(s) not in the listing: TSLA", StringComparison.Ordinal));
        Assert.Contains(list.Notes, n => n.Contains("kept the first 1 (MAX_WATCHLIST); 1 more not kept", StringComparison.Ordinal));
    }
}
