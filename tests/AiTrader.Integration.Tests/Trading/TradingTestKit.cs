using AiTrader.Brokers.Alpaca;
using AiTrader.Core.Brokers;
using AiTrader.Core.Domain;
using AiTrader.MarketData;

namespace AiTrader.Integration.Tests.Trading;

/// <summary>Starts a fake Alpaca trading server and builds a client pointed at it with tiny backoff.</summary>
public static class TradingTestKit
{
    public static readonly RetryOptions FastRetry = new()
    {
        MaxRetries = 2,
        BaseDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryAfter = TimeSpan.FromMilliseconds(500),
    };

    public static async Task<FakeAlpacaTrading> StartFakeAsync()
    {
        var fake = new FakeAlpacaTrading();
        await fake.StartAsync();
        return fake;
    }

    public static AlpacaTradingOptions Options(FakeAlpacaTrading fake) => new()
    {
        BaseUrl = fake.BaseUrl,
        ApiKey = fake.ApiKey,
        ApiSecret = fake.ApiSecret,
        RateLimit = new RateLimitOptions(1000, TimeSpan.FromSeconds(1)),
        Retry = FastRetry,
        AttemptTimeout = TimeSpan.FromSeconds(5),
        StreamHandshakeTimeout = TimeSpan.FromSeconds(5),
    };

    public static AlpacaTradingClient Client(FakeAlpacaTrading fake, Func<AlpacaTradingOptions, AlpacaTradingOptions>? tweak = null)
    {
        var options = Options(fake);
        return new AlpacaTradingClient(new HttpClient(), tweak is null ? options : tweak(options));
    }

    public static BrokerOrderRequest Buy(string clientOrderId, string symbol = "AAPL", decimal qty = 10) =>
        new(clientOrderId, new Symbol(symbol), OrderSide.Buy, qty);

    /// <summary>One line, names the broker, gives a fix and leaks neither the key nor the secret.</summary>
    public static void AssertClean(BrokerException ex, FakeAlpacaTrading fake)
    {
        Assert.StartsWith("alpaca-paper: ", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Contains("fix:", ex.Message);
        Assert.DoesNotContain(fake.ApiKey, ex.Message);
        Assert.DoesNotContain(fake.ApiSecret, ex.Message);
    }
}
