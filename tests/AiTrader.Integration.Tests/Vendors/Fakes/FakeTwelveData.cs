using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiTrader.Integration.Tests.Vendors.Fakes;

/// <summary>Twelve Data fake: time_series in exchange time, {"code","message","status":"error"} bodies at 200 or 429.</summary>
public sealed class FakeTwelveData : FakeVendorServer, IFakeBarVendor
{
    public const string CreditsMessage =
        "You have run out of API credits for the current minute. 9 API credits were used, with the current limit being 8. Wait for the next minute or consider switching to a higher tier plan at https://twelvedata.com/pricing";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>When set, the body of <c>/stocks</c> (the stocks listing).</summary>
    public string? StocksBody { get; set; }

    public List<Bar> MinuteBars { get; } = [];

    public List<(DateOnly Date, Bar Bar)> DailyBars { get; } = [];

    protected override void Map(WebApplication app)
    {
        app.MapGet("/time_series", async (HttpContext ctx) =>
        {
            var q = ctx.Request.Query;
            if (q["apikey"].ToString() != ApiKey)
            {
                await WriteJsonAsync(ctx, "{\"code\":401,\"message\":\"**apikey** parameter is incorrect or not specified. You can get your free API key instantly following this link: https://twelvedata.com/pricing. If you believe that everything is correct, you can contact us at https://twelvedata.com/contact/customer\",\"status\":\"error\"}");
                return;
            }

            var symbol = q["symbol"].ToString();
            var interval = q["interval"].ToString();
            if (symbol == "ZZZZ")
            {
                await WriteJsonAsync(ctx, $"{{\"code\":404,\"message\":\"**symbol** not found: {symbol}. Please specify it correctly according to API Documentation.\",\"status\":\"error\",\"meta\":{{\"symbol\":\"{symbol}\",\"interval\":\"{interval}\",\"exchange\":\"\"}}}}");
                return;
            }

            if (interval is not ("1min" or "5min" or "15min" or "30min" or "45min" or "1h" or "2h" or "4h" or "1day"))
            {
                await WriteJsonAsync(ctx, "{\"code\":400,\"message\":\"**interval** is not valid.\",\"status\":\"error\"}");
                return;
            }

            var daily = interval == "1day";
            var fmt = daily ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss";
            var start = q["start_date"].ToString();
            var end = q["end_date"].ToString();
            var outputSize = int.TryParse(q["outputsize"], out var n) ? n : 30;
            var rows = (daily
                    ? DailyBars.Select(d => (Local: d.Date.ToString(fmt, Inv), d.Bar))
                    : MinuteBars.Select(m => (Local: ExchangeTime.ToNewYork(m.Timestamp).ToString(fmt, Inv), Bar: m)))
                .Where(x => (start.Length == 0 || string.CompareOrdinal(x.Local, start[..Math.Min(start.Length, x.Local.Length)]) >= 0)
                            && (end.Length == 0 || string.CompareOrdinal(x.Local, end[..Math.Min(end.Length, x.Local.Length)]) <= 0))
                .OrderByDescending(x => x.Local, StringComparer.Ordinal)
                .Take(outputSize)
                .ToList();
            if (q["order"] == "asc")
            {
                rows.Reverse();
            }

            var failure = CurrentFailure();
            if (failure == FakeMode.Normal && BodyOverride is not null)
            {
                await WriteJsonAsync(ctx, BodyOverride);
                return;
            }

            if (failure == FakeMode.Empty || rows.Count == 0)
            {
                await WriteJsonAsync(ctx, "{\"code\":400,\"message\":\"No data is available on the specified dates. Try setting different start/end dates.\",\"status\":\"error\",\"meta\":{}}");
                return;
            }

            var values = string.Join(",", rows.Select(x =>
                $"{{\"datetime\":\"{x.Local}\",\"open\":\"{x.Bar.Open:F5}\",\"high\":\"{x.Bar.High:F5}\",\"low\":\"{x.Bar.Low:F5}\",\"close\":\"{x.Bar.Close:F5}\",\"volume\":\"{x.Bar.Volume:F0}\"}}"));
            var body = $"{{\"meta\":{{\"symbol\":\"{symbol}\",\"interval\":\"{interval}\",\"currency\":\"USD\",\"exchange_timezone\":\"America/New_York\",\"exchange\":\"NYSE\",\"mic_code\":\"ARCX\",\"type\":\"ETF\"}},\"values\":[{values}],\"status\":\"ok\"}}";
            switch (failure)
            {
                case FakeMode.RateLimitBody:
                    await WriteJsonAsync(ctx, $"{{\"code\":429,\"message\":\"{CreditsMessage}\",\"status\":\"error\"}}");
                    return;
                case FakeMode.Unauthorized or FakeMode.Forbidden:
                    await WriteJsonAsync(ctx, "{\"code\":401,\"message\":\"**apikey** parameter is incorrect or not specified.\",\"status\":\"error\"}");
                    return;
            }

            if (!await TryWriteGenericFailureAsync(ctx, failure, body, $"{{\"code\":429,\"message\":\"{CreditsMessage}\",\"status\":\"error\"}}"))
            {
                await WriteJsonAsync(ctx, BodyOverride ?? body);
            }
        });

        app.MapGet("/quote", async (HttpContext ctx) =>
        {
            if (ctx.Request.Query["apikey"].ToString() != ApiKey)
            {
                await WriteJsonAsync(ctx, "{\"code\":401,\"message\":\"**apikey** parameter is incorrect or not specified.\",\"status\":\"error\"}");
                return;
            }

            await WriteJsonAsync(ctx, "{\"symbol\":\"AAPL\",\"name\":\"Apple Inc\",\"exchange\":\"NASDAQ\",\"mic_code\":\"XNGS\",\"currency\":\"USD\",\"datetime\":\"2021-09-16\",\"timestamp\":1631772000,\"open\":\"148.44000\",\"high\":\"148.96840\",\"low\":\"147.22099\",\"close\":\"148.85001\",\"volume\":\"67903927\",\"previous_close\":\"149.09000\",\"change\":\"-0.23999\",\"percent_change\":\"-0.16097\",\"average_volume\":\"83571571\",\"is_market_open\":false,\"fifty_two_week\":{\"low\":\"103.10000\",\"high\":\"157.25999\",\"range\":\"103.099998 - 157.259995\"}}");
        });

        app.MapGet("/stocks", async (HttpContext ctx) =>
        {
            if (ctx.Request.Query["apikey"].ToString() != ApiKey)
            {
                await WriteJsonAsync(ctx, "{\"code\":401,\"message\":\"**apikey** parameter is incorrect or not specified.\",\"status\":\"error\"}");
                return;
            }

            var body = StocksBody ?? "{\"data\":[{\"symbol\":\"AAPL\",\"name\":\"Apple Inc\",\"currency\":\"USD\",\"exchange\":\"NASDAQ\",\"mic_code\":\"XNGS\",\"country\":\"United States\",\"type\":\"Common Stock\",\"figi_code\":\"BBG000B9XRY4\"}],\"status\":\"ok\"}";
            var failure = CurrentFailure();
            if (failure == FakeMode.RateLimitBody)
            {
                await WriteJsonAsync(ctx, $"{{\"code\":429,\"message\":\"{CreditsMessage}\",\"status\":\"error\"}}");
                return;
            }

            if (!await TryWriteGenericFailureAsync(ctx, failure, body, $"{{\"code\":429,\"message\":\"{CreditsMessage}\",\"status\":\"error\"}}"))
            {
                await WriteJsonAsync(ctx, body);
            }
        });
    }
}
