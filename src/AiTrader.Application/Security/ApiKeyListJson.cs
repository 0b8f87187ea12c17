using AiTrader.Storage.Security;

namespace AiTrader.Application.Security;

/// <summary>The one JSON shape of the API key list, for <c>GET /api/keys</c> and <c>aitrader apikey list --json</c>: an
/// array, oldest first as the store lists them, of <c>id</c>, <c>name</c>, <c>role</c>, <c>created_at</c>,
/// <c>revoked_at</c> and <c>last_used_at</c> (UTC, ISO-8601 with <c>Z</c>; null when not revoked, never used). Never a
/// key or its hash: the store does not hold the one and this does not write the other.</summary>
public static class ApiKeyListJson
{
    /// <summary>The fields of one key, in order.</summary>
    public static IReadOnlyList<string> Fields { get; } = ["id", "name", "role", "created_at", "revoked_at", "last_used_at"];

    public static string Write(IEnumerable<ApiKeyInfo> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return JsonText.Write(json =>
        {
            json.WriteStartArray();
            foreach (var key in keys)
            {
                json.WriteStartObject();
                json.WriteString(Fields[0], key.Id);
                json.WriteString(Fields[1], key.Name);
                json.WriteString(Fields[2], key.Role.ToText());
                json.WriteString(Fields[3], Utc(key.CreatedUtc));
                json.WriteTimeOrNull(Fields[4], key.RevokedUtc is { } revoked ? Utc(revoked) : null);
                json.WriteTimeOrNull(Fields[5], key.LastUsedUtc is { } used ? Utc(used) : null);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
    }

    /// <summary>The stores read times back without their kind; they are all UTC.</summary>
    private static DateTime Utc(DateTime time) => DateTime.SpecifyKind(time, DateTimeKind.Utc);
}
