using System.Globalization;
using System.Text;
using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiTrader.Integration.Tests.Vendors.Fakes;

/// <summary>Alpaca market-data v2 fake: key headers checked, next_page_token paging, bars:null when empty.</summary>
public sealed class FakeAlpaca : FakeVendorServer, IFakeBarVendor
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public string ApiSecret { get; set; } = "TESTSECRET-456";

    public List<Bar> MinuteBars { get; } = [];

    public List<(DateOnly Date, Bar Bar)> DailyBars { get; } = [];

    /// <summary>Server-side page size cap, to force pagination.</summary>
    public int PageSize { get; set; } = 10000;

    public List<string> SeenAdjustments { get; } = [];

    /// <summary>When set, the bars body served for each incoming page_token ("" for the first page), verbatim: lets a
    /// test script a server whose next_page_token cycles or never ends.</summary>
    public Func<string, string>? PageBody { get; set; }

    /// <summary>Snapshot objects by symbol, as <c>/v2/stocks/snapshots</c> sends them (an unknown symbol is left out).</summary>
    public Dictionary<string, string> Snapshots { get; } = new(StringComparer.Ordinal);

    protected override void Map(WebApplication app)
    {
        app.MapGet("/v2/stocks/{symbol}/bars", async (HttpContext ctx, string symbol) =>
        {
            if (!await AuthorizedAsync(ctx))
            {
                return;
            }

            var q = ctx.Request.Query;
            var timeframe = q["timeframe"].ToString();
            if (!Timeframe.TryParse(timeframe, out var tf))
            {
                await WriteJsonAsync(ctx, "{\"code\":42210000,\"message\":\"invalid timeframe\"}", 422);
                return;
            }

            if (!DateTime.TryParse(q["start"], Inv, DateTimeStyles.AdjustToUniversal, out var start)
                || !DateTime.TryParse(q["end"], Inv, DateTimeStyles.AdjustToUniversal, out var end))
            {
                await WriteJsonAsync(ctx, "{\"code\":42210000,\"message\":\"invalid start or end\"}", 422);
                return;
            }

            SeenAdjustments.Add(q["adjustment"].ToString());
            if (PageBody is { } scripted)
            {
                await WriteJsonAsync(ctx, scripted(q["page_token"].ToString()));
                return;
            }

            var limit = Math.Min(PageSize, int.TryParse(q["limit"], out var l) ? l : 1000);
            var offset = q["page_token"].Count > 0 ? int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(q["page_token"]!)), Inv) : 0;

            // Daily bars are stamped at New York midnight, as Alpaca does.
            var all = (tf.IsIntraday
                    ? MinuteBars.Select(b => (T: b.Timestamp, b))
                    : DailyBars.Select(d => (T: ExchangeTime.ToUtc(d.Date, TimeOnly.MinValue), d.Bar)))
                .Where(x => x.T >= start && x.T <= end)
                .OrderBy(x => x.T)
                .ToList();
            var page = all.Skip(offset).Take(limit).ToList();
            var next = offset + page.Count < all.Count ? Convert.ToBase64String(Encoding.UTF8.GetBytes((offset + page.Count).ToString(Inv))) : null;

            var failure = CurrentFailure();
            if (failure == FakeMode.Empty || page.Count == 0)
            {
                await WriteJsonAsync(ctx, $"{{\"bars\":null,\"next_page_token\":null,\"symbol\":\"{symbol}\"}}");
                return;
            }

            var bars = string.Join(",", page.Select(x =>
                $"{{\"t\":\"{x.T:yyyy-MM-dd'T'HH:mm:ss'Z'}\",\"o\":{x.Item2.Open.ToString(Inv)},\"h\":{x.Item2.High.ToString(Inv)},\"l\":{x.Item2.Low.ToString(Inv)},\"c\":{x.Item2.Close.ToString(Inv)},\"v\":{x.Item2.Volume.ToString(Inv)},\"n\":{x.Item2.TradeCount ?? 10},\"vw\":{(x.Item2.Vwap ?? x.Item2.Close).ToString(Inv)}}}"));
            var body = $"{{\"bars\":[{bars}],\"symbol\":\"{symbol}\",\"next_page_token\":{(next is null ? "null" : $"\"{next}\"")}}}";
            if (!await FailAsync(ctx, failure, body))
            {
                await WriteJsonAsync(ctx, BodyOverride ?? body);
            }
        });

        app.MapGet("/v2/stocks/snapshots", async (HttpContext ctx) =>
        {
            if (!await AuthorizedAsync(ctx))
            {
                return;
            }

            var wanted = ctx.Request.Query["symbols"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries);
            if (wanted.Length == 0)
            {
                await WriteJsonAsync(ctx, "{\"code\":42210000,\"message\":\"symbols is required\"}", 422);
                return;
            }

            // The multi-symbol snapshot is an object keyed by symbol with no wrapper.
            var body = "{" + string.Join(",", wanted.Where(Snapshots.ContainsKey).Select(s => $"\"{s}\":{Snapshots[s]}")) + "}";
            if (!await FailAsync(ctx, CurrentFailure(), body))
            {
                await WriteJsonAsync(ctx, BodyOverride ?? body);
            }
        });

        app.MapGet("/v2/stocks/{symbol}/quotes/latest", async (HttpContext ctx, string symbol) =>
        {
            if (!await AuthorizedAsync(ctx))
            {
                return;
            }

            var body = $"{{\"symbol\":\"{symbol}\",\"quote\":{{\"t\":\"2022-03-18T14:02:43.651613184Z\",\"ax\":\"P\",\"ap\":161.11,\"as\":13,\"bx\":\"K\",\"bp\":161.1,\"bs\":2,\"c\":[\"R\"],\"z\":\"C\"}}}}";
            if (!await FailAsync(ctx, CurrentFailure(), body))
            {
                await WriteJsonAsync(ctx, body);
            }
        });
    }

    private async Task<bool> FailAsync(HttpContext ctx, FakeMode failure, string body)
    {
        switch (failure)
        {
            case FakeMode.Unauthorized:
                await WriteJsonAsync(ctx, "{\"message\":\"unauthorized\"}", 401);
                return true;
            case FakeMode.Forbidden:
                await WriteJsonAsync(ctx, "{\"code\":40310000,\"message\":\"subscription does not permit querying recent SIP data\"}", 403);
                return true;
            case FakeMode.RateLimitBody:
                await WriteJsonAsync(ctx, "{\"code\":42910000,\"message\":\"too many requests\"}", 429);
                return true;
            default:
                return await TryWriteGenericFailureAsync(ctx, failure, body, "{\"code\":42910000,\"message\":\"too many requests\"}");
        }
    }

    private async Task<bool> AuthorizedAsync(HttpContext ctx)
    {
        if (ctx.Request.Headers["APCA-API-KEY-ID"] != ApiKey || ctx.Request.Headers["APCA-API-SECRET-KEY"] != ApiSecret)
        {
            await WriteJsonAsync(ctx, "{\"message\":\"unauthorized\"}", 401);
            return false;
        }

        return true;
    }
}
