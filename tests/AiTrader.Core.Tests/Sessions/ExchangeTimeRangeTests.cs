using AiTrader.Core.Sessions;

namespace AiTrader.Core.Tests.Sessions;

public sealed class ExchangeTimeRangeTests
{
    [Theory]
    // Standard time: New York is UTC-5.
    [InlineData("2024-01-02", "2024-01-02T05:00:00", "2024-01-03T04:59:59.9999999")]
    // Daylight time: UTC-4.
    [InlineData("2024-07-01", "2024-07-01T04:00:00", "2024-07-02T03:59:59.9999999")]
    // DST starts on 2024-03-10 at 02:00 ET: midnight is still EST, the next midnight is EDT (a 23-hour date).
    [InlineData("2024-03-10", "2024-03-10T05:00:00", "2024-03-11T03:59:59.9999999")]
    public void Whole_new_york_date_maps_to_its_first_and_last_utc_tick(string date, string startUtc, string endUtc)
    {
        var d = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(Utc(startUtc), ExchangeTime.StartOfDateUtc(d));
        Assert.Equal(Utc(endUtc), ExchangeTime.EndOfDateUtc(d));
        Assert.Equal(d, ExchangeTime.SessionDate(ExchangeTime.EndOfDateUtc(d)));
        Assert.Equal(d.AddDays(1), ExchangeTime.SessionDate(ExchangeTime.EndOfDateUtc(d).AddTicks(1)));
    }

    private static DateTime Utc(string iso) => AiTrader.Core.Tests.MarketData.TestData.Utc(iso + "Z");
}
