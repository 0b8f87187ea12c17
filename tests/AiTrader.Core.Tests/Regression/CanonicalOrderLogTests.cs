using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;

namespace AiTrader.Core.Tests.Regression;

/// <summary>The order-list fingerprint the regression pins rely on must not drift: a hand-built result renders to a
/// known text whose SHA-256 was computed outside .NET (<c>printf '...' | sha256sum</c>).</summary>
public sealed class CanonicalOrderLogTests
{
    private static readonly Symbol Spy = new("SPY");

    // Decimals carry trailing zeros on purpose: the canonical form drops them.
    private static readonly Order[] Orders =
    [
        new("o1", Spy, OrderSide.Buy, 10.00m, OrderType.Market, Utc("2024-01-02T21:00:00")),
        new("o2", Spy, OrderSide.Sell, 10m, OrderType.Stop, Utc("2024-01-03T21:00:00"), StopPrice: 95.50m, Reason: "stop"),
        new("o3", Spy, OrderSide.Sell, 10m, OrderType.Market, Utc("2024-01-04T21:00:00")),
    ];

    private static readonly Fill[] Fills =
    [
        new("o1", Spy, OrderSide.Buy, 10m, 100.0500m, 1.00m, Utc("2024-01-03T14:30:00")),
        new("o3", Spy, OrderSide.Sell, 4m, 101.2345m, 1m, Utc("2024-01-05T14:30:00")),
        new("o3", Spy, OrderSide.Sell, 6m, 101.230m, 1.030m, Utc("2024-01-05T14:31:00.5")),
    ];

    private const string ExpectedText =
        "o1,buy,market,10,,2024-01-02T21:00:00Z,2024-01-03T14:30:00Z,10,100.05,1\n" +
        "o2,sell,stop,10,95.5,2024-01-03T21:00:00Z,,,,\n" +
        "o3,sell,market,10,,2024-01-04T21:00:00Z,2024-01-05T14:30:00Z,4,101.2345,1\n" +
        "o3,sell,market,10,,2024-01-04T21:00:00Z,2024-01-05T14:31:00.5Z,6,101.23,1.03\n";

    // sha256sum of ExpectedText written with printf (no BOM, '\n' line ends).
    private const string ExpectedSha256 = "8c98aaeede51299bc475b97274f0f6c69444123f39fb10aea7499e1663b7dd31";

    [Fact]
    public void Hand_built_result_renders_the_documented_lines_and_hash()
    {
        var result = new BacktestResult(Spy, "breakout", new ExchangeOptions(), [], [], Fills, Orders, Array.Empty<BarFlag>(), 100_000m);

        Assert.Equal(ExpectedText, CanonicalOrderLog.Render(result));
        Assert.Equal(ExpectedSha256, CanonicalOrderLog.Sha256(result));
    }

    [Fact]
    public void Any_changed_fill_value_changes_the_hash()
    {
        var baseline = CanonicalOrderLog.Sha256(CanonicalOrderLog.Render(Orders, Fills));
        var cheaper = Fills.Select((f, i) => i == 1 ? f with { Price = 101.2344m } : f).ToArray();
        var feeless = Fills.Select((f, i) => i == 2 ? f with { Fee = 1.02m } : f).ToArray();

        Assert.NotEqual(baseline, CanonicalOrderLog.Sha256(CanonicalOrderLog.Render(Orders, cheaper)));
        Assert.NotEqual(baseline, CanonicalOrderLog.Sha256(CanonicalOrderLog.Render(Orders, feeless)));
    }

    [Theory]
    [InlineData("1.6650", "1.665")]
    [InlineData("100", "100")]
    [InlineData("0.0000001", "0.0000001")]
    [InlineData("-2.50", "-2.5")]
    [InlineData("0.00", "0")]
    public void Numbers_are_plain_digits_without_trailing_zeros(string input, string expected) =>
        Assert.Equal(expected, CanonicalOrderLog.Number(decimal.Parse(input, System.Globalization.CultureInfo.InvariantCulture)));

    private static DateTime Utc(string iso) => AiTrader.Core.Tests.MarketData.TestData.Utc(iso + "Z");
}
