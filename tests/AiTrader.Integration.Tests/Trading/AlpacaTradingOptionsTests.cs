using AiTrader.Brokers.Alpaca;
using AiTrader.Core.Brokers;
using Microsoft.Extensions.DependencyInjection;

namespace AiTrader.Integration.Tests.Trading;

public sealed class AlpacaTradingOptionsTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Defaults_to_paper_with_a_derived_stream_url()
    {
        var options = AlpacaTradingOptions.FromEnvironment(Env(("APCA_API_KEY_ID", "PK1"), ("APCA_API_SECRET_KEY", "S1")));

        Assert.Equal(new Uri("https://paper-api.alpaca.markets"), options.BaseUrl);
        Assert.Equal(new Uri("wss://paper-api.alpaca.markets/stream"), options.ResolvedStreamUrl);
        Assert.False(options.Live);
        Assert.Equal("alpaca-paper", options.BrokerName);
        Assert.Equal("PK1", options.ApiKey);
    }

    [Fact]
    public void Live_flag_selects_the_live_endpoint()
    {
        var options = AlpacaTradingOptions.FromEnvironment(Env(), live: true);

        Assert.Equal(new Uri("https://api.alpaca.markets"), options.BaseUrl);
        Assert.Equal(new Uri("wss://api.alpaca.markets/stream"), options.ResolvedStreamUrl);
        Assert.Equal("alpaca-live", options.BrokerName);
        using var client = new AlpacaTradingClient(new HttpClient(), options);
        Assert.Equal("alpaca-live", client.Name);
    }

    [Fact]
    public void Live_base_url_without_the_live_flag_is_refused()
    {
        var ex = Assert.Throws<BrokerException>(() =>
            AlpacaTradingOptions.FromEnvironment(Env(("ALPACA_TRADING_BASE_URL", "https://api.alpaca.markets"))));
        Assert.Equal(BrokerErrorKind.Configuration, ex.Kind);
        Assert.Contains("live", ex.Message);

        var direct = new AlpacaTradingOptions { BaseUrl = new Uri("https://API.alpaca.markets/"), ApiKey = "k", ApiSecret = "s" };
        Assert.Throws<BrokerException>(() => new AlpacaTradingClient(new HttpClient(), direct));
    }

    [Fact]
    public void Live_stream_url_without_the_live_flag_is_refused()
    {
        var ex = Assert.Throws<BrokerException>(() =>
            AlpacaTradingOptions.FromEnvironment(Env(("ALPACA_TRADING_STREAM_URL", "wss://api.alpaca.markets/stream"))));
        Assert.Equal(BrokerErrorKind.Configuration, ex.Kind);
    }

    [Fact]
    public void Explicit_urls_are_honoured_and_loopback_http_maps_to_ws()
    {
        var options = AlpacaTradingOptions.FromEnvironment(Env(("ALPACA_TRADING_BASE_URL", "http://127.0.0.1:5123")));
        Assert.Equal(new Uri("ws://127.0.0.1:5123/stream"), options.ResolvedStreamUrl);

        var custom = AlpacaTradingOptions.FromEnvironment(Env(("ALPACA_TRADING_STREAM_URL", "wss://example.test/ws")));
        Assert.Equal(new Uri("wss://example.test/ws"), custom.ResolvedStreamUrl);

        Assert.Throws<BrokerException>(() => AlpacaTradingOptions.FromEnvironment(Env(("ALPACA_TRADING_BASE_URL", "not a url"))));
    }

    [Fact]
    public void Request_validation_catches_impossible_orders()
    {
        var ok = TradingTestKit.Buy("v-1");
        ok.Validate();
        Assert.Throws<ArgumentException>(() => (ok with { ClientOrderId = new string('x', 49) }).Validate());
        Assert.Throws<ArgumentException>(() => (ok with { Quantity = 0 }).Validate());
        Assert.Throws<ArgumentException>(() => (ok with { Type = BrokerOrderType.Limit }).Validate());
        Assert.Throws<ArgumentException>(() => (ok with { Type = BrokerOrderType.Stop, LimitPrice = 1m, StopPrice = 1m }).Validate());
        Assert.Throws<ArgumentException>(() => (ok with { Type = BrokerOrderType.TrailingStop }).Validate());
        (ok with { Type = BrokerOrderType.StopLimit, LimitPrice = 101m, StopPrice = 100m }).Validate();
    }

    [Fact]
    public async Task Registration_resolves_the_alpaca_client_as_the_broker()
    {
        await using var fake = await TradingTestKit.StartFakeAsync();
        var services = new ServiceCollection();
        services.AddAlpacaTrading(TradingTestKit.Options(fake));
        await using var provider = services.BuildServiceProvider();

        var broker = provider.GetRequiredService<IBroker>();

        Assert.IsType<AlpacaTradingClient>(broker);
        Assert.Equal(103820.56m, (await broker.GetAccountAsync()).Equity);
        Assert.Throws<BrokerException>(() => new ServiceCollection().AddAlpacaTrading(
            new AlpacaTradingOptions { BaseUrl = new Uri(AlpacaTradingOptions.LiveBaseUrl) }));
    }
}
