using System.Diagnostics;
using AiTrader.Core.Domain;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using AiTrader.MarketData.Vendors;
using static AiTrader.Integration.Tests.Vendors.VendorTestKit;

namespace AiTrader.Integration.Tests.Vendors;

public sealed class ResilienceTests
{
    [Fact]
    public async Task Throttle_delays_requests_beyond_the_window_budget()
    {
        using var throttle = new VendorThrottle("test", new RateLimitOptions(2, TimeSpan.FromMilliseconds(400)));
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 5; i++)
        {
            using var lease = await throttle.AcquireAsync(CancellationToken.None);
        }

        // 2 + 2 + 1 permits need at least two full windows.
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(700), $"took only {sw.Elapsed}");
    }

    [Fact]
    public async Task Client_requests_are_paced_by_the_vendor_limit()
    {
        await using var fake = await StartAsync<FakeFinnhub>();
        var client = new FinnhubClient(new HttpClient(), FinnhubOptions(fake) with { RateLimit = new RateLimitOptions(2, TimeSpan.FromMilliseconds(500)) });
        var sw = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.GetLatestQuoteAsync("AAPL")));

        Assert.Equal(4, fake.RequestCount);
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(400), $"took only {sw.Elapsed}");
    }

    [Fact]
    public async Task Full_local_queue_is_rate_limited_not_a_hang()
    {
        using var throttle = new VendorThrottle("test", new RateLimitOptions(1, TimeSpan.FromSeconds(30), QueueLimit: 0));
        using var first = await throttle.AcquireAsync(CancellationToken.None);
        var ex = await Assert.ThrowsAsync<VendorException>(async () => await throttle.AcquireAsync(CancellationToken.None));
        Assert.Equal(VendorErrorKind.RateLimited, ex.Kind);
    }

    [Fact]
    public async Task Retry_after_within_the_cap_is_honoured_then_succeeds()
    {
        await using var fake = await StartAsync<FakeFinnhub>();
        fake.Mode = FakeMode.Http429;
        fake.FailTimes = 1;
        fake.RetryAfter = TimeSpan.FromSeconds(1);
        var client = new FinnhubClient(new HttpClient(), FinnhubOptions(fake) with { Retry = FastRetry with { MaxRetryAfter = TimeSpan.FromSeconds(2) } });
        var sw = Stopwatch.StartNew();

        var quote = await client.GetLatestQuoteAsync("AAPL");

        Assert.Equal(261.74m, quote.Last);
        Assert.Equal(2, fake.RequestCount);
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(900), $"did not wait for Retry-After: {sw.Elapsed}");
    }

    [Fact]
    public async Task Retries_are_bounded_by_max_retries()
    {
        await using var fake = await StartAsync<FakeFinnhub>();
        fake.Mode = FakeMode.ServerError;
        var client = new FinnhubClient(new HttpClient(), FinnhubOptions(fake) with { Retry = FastRetry with { MaxRetries = 4 } });

        await Assert.ThrowsAsync<VendorException>(() => client.GetLatestQuoteAsync("AAPL"));

        Assert.Equal(5, fake.RequestCount);
    }

    [Fact]
    public async Task Slow_vendor_times_out_per_attempt()
    {
        await using var fake = await StartAsync<FakeFinnhub>();
        fake.Mode = FakeMode.Slow;
        var client = new FinnhubClient(new HttpClient(), FinnhubOptions(fake) with
        {
            AttemptTimeout = TimeSpan.FromMilliseconds(300),
            Retry = FastRetry with { MaxRetries = 1 },
        });

        var ex = await Assert.ThrowsAsync<VendorException>(() => client.GetLatestQuoteAsync("AAPL"));

        Assert.Equal(VendorErrorKind.Timeout, ex.Kind);
        Assert.Equal(2, fake.RequestCount);
        AssertCleanMessage(ex, "finnhub");
    }

    [Fact]
    public async Task Caller_cancellation_is_not_turned_into_a_vendor_error()
    {
        await using var fake = await StartAsync<FakeFinnhub>();
        fake.Mode = FakeMode.Slow;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client(fake).GetLatestQuoteAsync("AAPL", cts.Token));
    }

    [Fact]
    public async Task A_429_is_counted_as_rate_limited_the_name_the_docs_and_alerts_use()
    {
        // Other tests record vendor errors at the same time: every kind the vendor clients record must read as documented,
        // and ours must be among them.
        var kinds = new System.Collections.Concurrent.ConcurrentBag<(string? Vendor, string? Kind)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "AiTrader" && instrument.Name == "aitrader.vendor.errors")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? vendor = null, kind = null;
            foreach (var tag in tags)
            {
                vendor = tag.Key == "vendor" ? tag.Value?.ToString() : vendor;
                kind = tag.Key == "kind" ? tag.Value?.ToString() : kind;
            }

            kinds.Add((vendor, kind));
        });
        listener.Start();
        await using var fake = await StartAsync<FakeFinnhub>();
        fake.Mode = FakeMode.Http429;
        var client = new FinnhubClient(new HttpClient(), FinnhubOptions(fake) with { Retry = FastRetry with { MaxRetries = 0 } });

        var ex = await Assert.ThrowsAsync<VendorException>(() => client.GetLatestQuoteAsync("AAPL"));

        Assert.Equal(VendorErrorKind.RateLimited, ex.Kind);
        Assert.Contains(("finnhub", "rate_limited"), kinds);
        Assert.All(kinds.Where(k => k.Vendor is "alpaca" or "alphavantage" or "yahoo" or "twelvedata" or "finnhub"),
            k => Assert.Matches("^[a-z]+(_[a-z]+)*$", k.Kind));
    }

    [Fact]
    public async Task Unreachable_host_is_a_server_error_without_the_key()
    {
        var options = new FinnhubOptions
        {
            BaseUrl = new Uri("http://127.0.0.1:1/api/v1"),
            ApiKey = "UNREACHABLE-KEY",
            RateLimit = Generous,
            Retry = FastRetry with { MaxRetries = 0 },
        };
        var ex = await Assert.ThrowsAsync<VendorException>(() => new FinnhubClient(new HttpClient(), options).GetLatestQuoteAsync("AAPL"));
        Assert.Equal(VendorErrorKind.ServerError, ex.Kind);
        AssertCleanMessage(ex, "finnhub", "UNREACHABLE-KEY");
    }
}
