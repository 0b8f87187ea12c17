using AiTrader.Storage.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AiTrader.Service;

/// <summary>The service's API keys as <c>aitrader apikey list</c> shows them (never a key or its hash).</summary>
internal static class ApiKeyEndpoints
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGet("/keys", async (IApiKeyStore keys, CancellationToken ct) =>
                Results.Json((await keys.ListAsync(ct)).Select(k => new ApiKeyDto(k.Id, k.Name, k.Role.ToText(), k.CreatedUtc, k.RevokedUtc, k.LastUsedUtc))))
            .RequireAuthorization(ApiKeyAuthenticationHandler.TraderPolicy)
            .WithSummary("The API keys, oldest first: id, name, role, created_at, revoked_at and last_used_at (recorded at most once a minute per key); never a key.");
}

/// <summary>An API key as <c>GET /api/keys</c> lists it.</summary>
public sealed record ApiKeyDto(
    [property: System.Text.Json.Serialization.JsonPropertyName("id")] string Id,
    [property: System.Text.Json.Serialization.JsonPropertyName("name")] string Name,
    [property: System.Text.Json.Serialization.JsonPropertyName("role")] string Role,
    [property: System.Text.Json.Serialization.JsonPropertyName("created_at")] DateTime CreatedAt,
    [property: System.Text.Json.Serialization.JsonPropertyName("revoked_at")] DateTime? RevokedAt,
    [property: System.Text.Json.Serialization.JsonPropertyName("last_used_at")] DateTime? LastUsedAt);
