using Microsoft.AspNetCore.Http;

namespace AiTrader.Service;

/// <summary>A request body as text (UTF-8), for the endpoints that parse their JSON strictly themselves; Kestrel's body
/// limit bounds it.</summary>
internal static class RequestText
{
    public static async Task<string> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        return await reader.ReadToEndAsync(ct);
    }
}
