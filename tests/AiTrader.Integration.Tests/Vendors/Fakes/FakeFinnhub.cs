using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiTrader.Integration.Tests.Vendors.Fakes;

/// <summary>Finnhub fake: token as query or header, zero quote for unknown symbols, 403 candles, JSON 429.</summary>
public sealed class FakeFinnhub : FakeVendorServer
{
    protected override void Map(WebApplication app)
    {
        app.MapGet("/api/v1/quote", async (HttpContext ctx) =>
        {
            if (!await AuthorizedAsync(ctx))
            {
                return;
            }

            var body = ctx.Request.Query["symbol"] == "ZZZZ"
                ? "{\"c\":0,\"d\":null,\"dp\":null,\"h\":0,\"l\":0,\"o\":0,\"pc\":0,\"t\":0}"
                : "{\"c\":261.74,\"d\":2.29,\"dp\":0.8826,\"h\":263.31,\"l\":260.68,\"o\":261.07,\"pc\":259.45,\"t\":1582641000}";
            await RespondAsync(ctx, body);
        });

        app.MapGet("/api/v1/stock/symbol", async (HttpContext ctx) =>
        {
            if (!await AuthorizedAsync(ctx))
            {
                return;
            }

            if (ctx.Request.Query["exchange"] != "US")
            {
                await WriteJsonAsync(ctx, "{\"error\":\"Wrong exchange code\"}", 422);
                return;
            }

            await RespondAsync(ctx, "[{\"currency\":\"USD\",\"description\":\"APPLE INC\",\"displaySymbol\":\"AAPL\",\"figi\":\"BBG000B9XRY4\",\"isin\":null,\"mic\":\"XNAS\",\"shareClassFIGI\":\"BBG001S5N8V8\",\"symbol\":\"AAPL\",\"symbol2\":\"\",\"type\":\"Common Stock\"},{\"currency\":\"USD\",\"description\":\"SPDR S&P 500 ETF TRUST\",\"displaySymbol\":\"SPY\",\"mic\":\"ARCX\",\"symbol\":\"SPY\",\"type\":\"ETP\"}]");
        });

        app.MapGet("/api/v1/stock/candle", async (HttpContext ctx) =>
        {
            if (await AuthorizedAsync(ctx))
            {
                await WriteJsonAsync(ctx, "{\"error\":\"You don't have access to this resource.\"}", 403);
            }
        });
    }

    private async Task RespondAsync(HttpContext ctx, string body)
    {
        var failure = CurrentFailure();
        switch (failure)
        {
            case FakeMode.RateLimitBody:
                await WriteJsonAsync(ctx, "{\"error\":\"API limit reached. Please try again later. Remaining Limit: 0\"}", 429);
                return;
            case FakeMode.Unauthorized:
                await WriteJsonAsync(ctx, "{\"error\":\"Invalid API key\"}", 401);
                return;
            case FakeMode.Forbidden:
                await WriteJsonAsync(ctx, "{\"error\":\"You don't have access to this resource.\"}", 403);
                return;
        }

        if (!await TryWriteGenericFailureAsync(ctx, failure, body, "{\"error\":\"API limit reached. Please try again later. Remaining Limit: 0\"}"))
        {
            await WriteJsonAsync(ctx, BodyOverride ?? body);
        }
    }

    private async Task<bool> AuthorizedAsync(HttpContext ctx)
    {
        var token = ctx.Request.Query["token"].ToString();
        if (token.Length == 0)
        {
            token = ctx.Request.Headers["X-Finnhub-Token"].ToString();
        }

        if (token != ApiKey)
        {
            await WriteJsonAsync(ctx, "{\"error\":\"Please use an API key.\"}", 401);
            return false;
        }

        return true;
    }
}
