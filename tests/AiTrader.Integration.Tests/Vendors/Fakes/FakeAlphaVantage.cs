using System.Globalization;
using System.Text;
using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiTrader.Integration.Tests.Vendors.Fakes;

/// <summary>Alpha Vantage fake: /query with function dispatch, HTTP 200 for every in-band error, US/Eastern keys newest first.</summary>
public sealed class FakeAlphaVantage : FakeVendorServer, IFakeBarVendor
{
    /// <summary>When set, the LISTING_STATUS CSV served instead of the two-row default.</summary>
    public string? ListingBody { get; set; }

    public const string InformationLimit =
        "Thank you for using Alpha Vantage! Our standard API rate limit is 25 requests per day. Please subscribe to any of the premium plans at https://www.alphavantage.co/premium/ to instantly remove all daily rate limits.";

    public const string NoteLimit =
        "Thank you for using Alpha Vantage! Our standard API call frequency is 5 calls per minute and 500 calls per day. Please visit https://www.alphavantage.co/premium/ if you would like to target a higher API call frequency.";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public List<Bar> MinuteBars { get; } = [];

    public List<(DateOnly Date, Bar Bar)> DailyBars { get; } = [];

    /// <summary>Daily rows per symbol. When any are set, a symbol without rows gets Alpha Vantage's invalid-call error
    /// (its answer for an unknown symbol); when none are set, every symbol gets <see cref="DailyBars"/>.</summary>
    public Dictionary<string, List<(DateOnly Date, Bar Bar)>> DailyBarsBySymbol { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Rate-limit body key: "Information" (current free tier) or "Note" (older text).</summary>
    public bool RateLimitAsNote { get; set; }

    protected override void Map(WebApplication app)
    {
        app.MapGet("/query", async (HttpContext ctx) =>
        {
            var q = ctx.Request.Query;
            if (q["apikey"].ToString() != ApiKey)
            {
                await WriteJsonAsync(ctx, "{\"Error Message\":\"the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds.\"}");
                return;
            }

            var function = q["function"].ToString();
            var symbol = q["symbol"].ToString();
            string body;
            switch (function)
            {
                case "TIME_SERIES_INTRADAY":
                    var interval = q["interval"].ToString();
                    if (interval is not ("1min" or "5min" or "15min" or "30min" or "60min") || symbol.Length == 0)
                    {
                        await WriteJsonAsync(ctx, "{\"Error Message\":\"Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for TIME_SERIES_INTRADAY.\"}");
                        return;
                    }

                    body = Intraday(symbol, interval, q["month"].ToString());
                    break;
                case "TIME_SERIES_DAILY" or "TIME_SERIES_DAILY_ADJUSTED":
                    if (DailyBarsBySymbol.Count > 0 && !DailyBarsBySymbol.ContainsKey(symbol))
                    {
                        await WriteJsonAsync(ctx, "{\"Error Message\":\"Invalid API call. Please retry or visit the documentation (https://www.alphavantage.co/documentation/) for " + function + ".\"}");
                        return;
                    }

                    body = Daily(symbol, function.EndsWith("ADJUSTED", StringComparison.Ordinal));
                    break;
                case "GLOBAL_QUOTE":
                    body = symbol == "ZZZZ"
                        ? "{\"Global Quote\":{}}"
                        : $"{{\"Global Quote\":{{\"01. symbol\":\"{symbol}\",\"02. open\":\"112.6300\",\"03. high\":\"113.1700\",\"04. low\":\"110.6400\",\"05. price\":\"112.1300\",\"06. volume\":\"29062853\",\"07. latest trading day\":\"2018-10-05\",\"08. previous close\":\"112.7900\",\"09. change\":\"-0.6600\",\"10. change percent\":\"-0.5852%\"}}}}";
                    break;
                case "LISTING_STATUS":
                    if (await FailAsync(ctx, CurrentFailure(), "{}"))
                    {
                        return;
                    }

                    ctx.Response.ContentType = "application/x-download";
                    await ctx.Response.WriteAsync(ListingBody ?? "symbol,name,exchange,assetType,ipoDate,delistingDate,status\r\nAAPL,Apple Inc,NASDAQ,Stock,1980-12-12,null,Active\r\nAAA,AXS First Priority CLO Bond ETF,NYSE ARCA,ETF,2020-09-09,null,Active\r\n");
                    return;
                default:
                    await WriteJsonAsync(ctx, "{\"Error Message\":\"This API function (" + function + ") does not exist.\"}");
                    return;
            }

            if (!await FailAsync(ctx, CurrentFailure(), body))
            {
                await WriteJsonAsync(ctx, BodyOverride ?? body);
            }
        });
    }

    private async Task<bool> FailAsync(HttpContext ctx, FakeMode failure, string body)
    {
        switch (failure)
        {
            case FakeMode.RateLimitBody:
                await WriteJsonAsync(ctx, RateLimitAsNote ? $"{{\"Note\":\"{NoteLimit}\"}}" : $"{{\"Information\":\"{InformationLimit}\"}}");
                return true;
            case FakeMode.Unauthorized or FakeMode.Forbidden:
                await WriteJsonAsync(ctx, "{\"Error Message\":\"the parameter apikey is invalid or missing. Please claim your free API key on (https://www.alphavantage.co/support/#api-key). It should take less than 20 seconds.\"}");
                return true;
            case FakeMode.Empty:
                await WriteJsonAsync(ctx, "{\"Meta Data\":{\"6. Time Zone\":\"US/Eastern\"},\"Time Series (5min)\":{},\"Time Series (1min)\":{},\"Time Series (Daily)\":{}}");
                return true;
            default:
                return await TryWriteGenericFailureAsync(ctx, failure, body, $"{{\"Information\":\"{InformationLimit}\"}}");
        }
    }

    private string Intraday(string symbol, string interval, string month)
    {
        var rows = MinuteBars
            .Select(b => (Local: ExchangeTime.ToNewYork(b.Timestamp), b))
            .Where(x => month.Length == 0 || x.Local.ToString("yyyy-MM", Inv) == month)
            .OrderByDescending(x => x.Local)
            .Select(x => $"\"{x.Local:yyyy-MM-dd HH:mm:ss}\":{{\"1. open\":\"{x.b.Open:F4}\",\"2. high\":\"{x.b.High:F4}\",\"3. low\":\"{x.b.Low:F4}\",\"4. close\":\"{x.b.Close:F4}\",\"5. volume\":\"{x.b.Volume:F0}\"}}");
        return $"{{\"Meta Data\":{{\"1. Information\":\"Intraday ({interval}) open, high, low, close prices and volume\",\"2. Symbol\":\"{symbol}\",\"3. Last Refreshed\":\"2024-08-02 19:55:00\",\"4. Interval\":\"{interval}\",\"5. Output Size\":\"Full size\",\"6. Time Zone\":\"US/Eastern\"}},\"Time Series ({interval})\":{{{string.Join(",", rows)}}}}}";
    }

    private string Daily(string symbol, bool adjusted)
    {
        var sb = new StringBuilder();
        var rows = DailyBarsBySymbol.TryGetValue(symbol, out var own) ? own : DailyBars;
        foreach (var (date, b) in rows.OrderByDescending(d => d.Date))
        {
            if (sb.Length > 0)
            {
                sb.Append(',');
            }

            sb.Append(adjusted
                ? $"\"{date:yyyy-MM-dd}\":{{\"1. open\":\"{b.Open:F4}\",\"2. high\":\"{b.High:F4}\",\"3. low\":\"{b.Low:F4}\",\"4. close\":\"{b.Close:F4}\",\"5. adjusted close\":\"{b.Close:F4}\",\"6. volume\":\"{b.Volume:F0}\",\"7. dividend amount\":\"0.0000\",\"8. split coefficient\":\"{(SplitDates.TryGetValue(date, out var s) ? s : 1m):F4}\"}}"
                : $"\"{date:yyyy-MM-dd}\":{{\"1. open\":\"{b.Open:F4}\",\"2. high\":\"{b.High:F4}\",\"3. low\":\"{b.Low:F4}\",\"4. close\":\"{b.Close:F4}\",\"5. volume\":\"{b.Volume:F0}\"}}");
        }

        var info = adjusted ? "Daily Time Series with Splits and Dividend Events" : "Daily Prices (open, high, low, close) and Volumes";
        return $"{{\"Meta Data\":{{\"1. Information\":\"{info}\",\"2. Symbol\":\"{symbol}\",\"3. Last Refreshed\":\"2024-08-02\",\"4. Output Size\":\"Full size\",\"5. Time Zone\":\"US/Eastern\"}},\"Time Series (Daily)\":{{{sb}}}}}";
    }

    /// <summary>Split coefficients placed on ex-date rows of the adjusted daily series.</summary>
    public Dictionary<DateOnly, decimal> SplitDates { get; } = [];
}
