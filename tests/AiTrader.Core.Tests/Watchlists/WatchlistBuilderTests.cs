using AiTrader.Core.Watchlists;

namespace AiTrader.Core.Tests.Watchlists;

public sealed class WatchlistBuilderTests
{
    private static readonly DateTime Now = new(2013, 10, 8, 13, 25, 0, DateTimeKind.Utc);

    private static SourceAnswer Answer(params (string Text, string Tag)[] symbols) =>
        new("test", symbols.Select(s => new SourcedSymbol(s.Text, s.Tag)).ToList(), []);

    [Fact]
    public void Share_classes_normalize_to_one_form_and_the_first_source_tags_a_symbol()
    {
        var list = new WatchlistBuilder().Build(Answer(("brk/b", "discord"), ("BRK-B", "signal"), ("BRK.B", "manual"), ("spy", "signal")), "default", Now);

        Assert.Equal(["BRK.B", "SPY"], list.Symbols.Select(s => s.Value));
        Assert.Equal(["discord", "signal"], list.Entries.Select(e => e.Source));
        Assert.Contains("removed 2 duplicate(s) (the first source to name a symbol tags it)", list.Notes);
    }

    [Fact]
    public void Path_like_and_malformed_texts_are_dropped_and_named()
    {
        var list = new WatchlistBuilder().Build(Answer(("../etc", "manual"), ("AAPL", "manual"), ("A B", "manual"), ("TOOLONGTICKERX", "manual")), "default", Now);

        Assert.Equal(["AAPL"], list.Symbols.Select(s => s.Value));
        Assert.Contains(list.Notes, n => n.StartsWith("dropped 3 text(s) that are not tickers: '../etc', 'A B', 'TOOLONGTICKERX'", StringComparison.Ordinal));
    }

    [Fact]
    public void The_cap_keeps_the_first_max_and_a_listing_validates()
    {
        var answer = Answer(Enumerable.Range(0, 30).Select(i => ($"S{i}", "alpha")).ToArray());
        var capped = new WatchlistBuilder().Build(answer, "default", Now);
        Assert.Equal(WatchlistBuilder.DefaultMax, capped.Entries.Count);
        Assert.Equal("S24", capped.Symbols[^1].Value);
        Assert.Contains("kept the first 25 (MAX_WATCHLIST); 5 more not kept", capped.Notes);

        var validated = new WatchlistBuilder().Build(Answer(("AAPL", "discord"), ("TSLA", "discord")), "default", Now, new HashSet<string> { "AAPL" });
        Assert.Equal(["AAPL"], validated.Symbols.Select(s => s.Value));
    }

    [Fact]
    public void Nothing_usable_is_an_empty_source_error()
    {
        var ex = Assert.Throws<WatchlistSourceException>(() => new WatchlistBuilder().Build(Answer(("../x", "manual")), "default", Now));
        Assert.Equal(WatchlistSourceFailure.Empty, ex.Failure);
    }

    [Theory]
    [InlineData("", 25)]
    [InlineData("3", 3)]
    public void Max_watchlist_comes_from_the_environment(string value, int max) =>
        Assert.Equal(max, WatchlistBuilder.FromEnvironment(n => n == "MAX_WATCHLIST" ? value : null).Max);

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("many")]
    public void A_bad_max_watchlist_says_how_to_fix_it(string value) =>
        Assert.Contains("MAX_WATCHLIST", Assert.Throws<ArgumentException>(() => WatchlistBuilder.FromEnvironment(n => n == "MAX_WATCHLIST" ? value : null)).Message);

    [Theory]
    [InlineData("Watching $nvda, BRK/B and AMD; CEO says GO", "NVDA,BRK/B,AMD")]
    [InlineData("$brk.b $BRK-B", "BRK.B,BRK-B")]
    [InlineData("see https://x.com/AAPL and email A@B.COM", "")]
    [InlineData("I think SPY is UP today", "SPY")]
    [InlineData("$SPY $SPY SPY", "SPY")]
    [InlineData("price 3.50 on T.", "T")]
    public void Tickers_are_pulled_out_of_chat_text(string text, string expected) =>
        Assert.Equal(expected, string.Join(",", TickerExtractor.Extract(text)));

    [Theory]
    [InlineData("default")]
    [InlineData("morning-gappers_2")]
    public void Bucket_names(string name) => Assert.Equal(name, WatchlistBucket.Validate(name));

    [Theory]
    [InlineData("../up")]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("-lead")]
    public void Bad_bucket_names(string name) => Assert.Throws<ArgumentException>(() => WatchlistBucket.Validate(name));
}
