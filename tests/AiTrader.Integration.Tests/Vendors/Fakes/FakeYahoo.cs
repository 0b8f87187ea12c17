using System.Globalization;
using AiTrader.Core.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiTrader.Integration.Tests.Vendors.Fakes;

/// <summary>Yahoo chart v8 fake: epoch stamps, null-padded quote arrays, 404 chart.error, text 429, outage HTML.</summary>
public sealed class FakeYahoo : FakeVendorServer, IFakeBarVendor
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public List<Bar> MinuteBars { get; } = [];

    /// <summary>Daily bars; the fake stamps them at the session open instant, as Yahoo does.</summary>
    public List<(DateOnly Date, Bar Bar)> DailyBars { get; } = [];

    /// <summary>Positions (in the served arrays) replaced by an all-null row.</summary>
    public HashSet<int> NullRows { get; } = [];

    protected override void Map(WebApplication app)
    {
        app.MapGet("/v8/finance/chart/{symbol}", async (HttpContext ctx, string symbol) =>
        {
            var q = ctx.Request.Query;
            if (symbol == "ZZZZ")
            {
                await WriteJsonAsync(ctx, "{\"chart\":{\"result\":null,\"error\":{\"code\":\"Not Found\",\"description\":\"No data found, symbol may be delisted\"}}}", 404);
                return;
            }

            var interval = q["interval"].ToString();
            if (interval is not ("1m" or "2m" or "5m" or "15m" or "30m" or "60m" or "90m" or "1h" or "1d"))
            {
                await WriteJsonAsync(ctx, $"{{\"chart\":{{\"result\":null,\"error\":{{\"code\":\"Bad Request\",\"description\":\"Invalid input - interval={interval} is not supported.\"}}}}}}", 400);
                return;
            }

            var daily = interval == "1d";
            long p1 = long.TryParse(q["period1"], out var a) ? a : 0, p2 = long.TryParse(q["period2"], out var b) ? b : long.MaxValue;
            var rows = (daily
                    ? DailyBars.Select(d => (T: Core.Sessions.ExchangeTime.ToUtc(d.Date, new TimeOnly(9, 30)), d.Bar))
                    : MinuteBars.Select(m => (T: m.Timestamp, Bar: m)))
                .Select(x => (E: new DateTimeOffset(x.T).ToUnixTimeSeconds(), x.Bar))
                .Where(x => x.E >= p1 && x.E < p2)
                .OrderBy(x => x.E)
                .ToList();

            var failure = CurrentFailure();
            string body;
            // gmtoffset is deliberately today's (EDT) offset: a client using it would misplace winter bars.
            var meta = $"\"meta\":{{\"currency\":\"USD\",\"symbol\":\"{symbol}\",\"exchangeName\":\"PCX\",\"instrumentType\":\"ETF\",\"firstTradeDate\":728317800,\"regularMarketTime\":1509739200,\"gmtoffset\":-14400,\"timezone\":\"EDT\",\"exchangeTimezoneName\":\"America/New_York\",\"regularMarketPrice\":1032.48,\"chartPreviousClose\":1025.58,\"priceHint\":2,\"dataGranularity\":\"{interval}\",\"range\":\"\"}}";
            if (failure == FakeMode.Empty || rows.Count == 0)
            {
                body = $"{{\"chart\":{{\"result\":[{{{meta},\"indicators\":{{\"quote\":[{{}}]}}}}],\"error\":null}}}}";
            }
            else
            {
                string Col(Func<Bar, decimal> f) => string.Join(",", rows.Select((r, i) => NullRows.Contains(i) ? "null" : f(r.Bar).ToString(Inv)));
                var adj = daily ? $",\"adjclose\":[{{\"adjclose\":[{Col(x => x.Close)}]}}]" : "";
                body = $"{{\"chart\":{{\"result\":[{{{meta},\"timestamp\":[{string.Join(",", rows.Select(r => r.E))}],\"events\":{{}},\"indicators\":{{\"quote\":[{{\"open\":[{Col(x => x.Open)}],\"high\":[{Col(x => x.High)}],\"low\":[{Col(x => x.Low)}],\"close\":[{Col(x => x.Close)}],\"volume\":[{Col(x => x.Volume)}]}}]{adj}}}}}],\"error\":null}}}}";
            }

            switch (failure)
            {
                case FakeMode.RateLimitBody or FakeMode.Http429:
                    ctx.Response.StatusCode = 429;
                    ctx.Response.ContentType = "text/plain";
                    if (failure == FakeMode.Http429)
                    {
                        ctx.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(Inv);
                    }

                    await ctx.Response.WriteAsync("Too Many Requests");
                    return;
                case FakeMode.Unauthorized or FakeMode.Forbidden:
                    await WriteJsonAsync(ctx, "{\"finance\":{\"result\":null,\"error\":{\"code\":\"Unauthorized\",\"description\":\"Invalid Crumb\"}}}", failure == FakeMode.Forbidden ? 403 : 401);
                    return;
                case FakeMode.ServerError:
                    ctx.Response.StatusCode = 503;
                    ctx.Response.ContentType = "text/html";
                    await ctx.Response.WriteAsync("<html><body><h1>Will be right back...</h1></body></html>");
                    return;
            }

            if (!await TryWriteGenericFailureAsync(ctx, failure, body, "Too Many Requests", "text/plain"))
            {
                await WriteJsonAsync(ctx, BodyOverride ?? body);
            }
        });
    }
}
