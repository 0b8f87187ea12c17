using AiTrader.Application.Security;
using AiTrader.Storage.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AiTrader.Service;

/// <summary>The service's API keys as <c>aitrader apikey list --json</c> prints them (never a key or its hash).</summary>
internal static class ApiKeyEndpoints
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/keys", async (IApiKeyStore keys, CancellationToken ct) => Results.Text(ApiKeyListJson.Write(await keys.ListAsync(ct)), "application/json"))
            .RequireAuthorization(ApiKeyAuthenticationHandler.TraderPolicy)
            .WithSummary($"The API keys, oldest first: {string.Join(", ", ApiKeyListJson.Fields)} (last use recorded at most once a minute per key); never a key.");
}
