using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Execution;

/// <summary>One order of an <see cref="ExchangeState"/>: as sent, and where it is.</summary>
public sealed record ExchangeOrderState(
    Order Order,
    OrderRole Role,
    string? ClientOrderId,
    string? StopClientOrderId,
    ExchangeOrderStatus Status,
    decimal Filled,
    decimal FilledValue,
    DateTime UpdatedAt,
    decimal? StopLevel,
    decimal? AttachedStop,
    int? Day,
    bool Triggered,
    bool IsResting);

/// <summary>Everything the simulated exchange holds, as JSON: what a paper run snapshots after each bar time, and what a
/// restart restores (cash, positions and round trips are re-booked from the fills, so they cannot disagree with them).</summary>
public sealed record ExchangeState(
    decimal InitialCash,
    int NextId,
    IReadOnlyList<ExchangeOrderState> Orders,
    IReadOnlyList<Fill> Fills,
    IReadOnlyList<string> FillReasons,
    IReadOnlyList<Cancellation> Cancellations,
    IReadOnlyList<StopAmendment> StopAmendments,
    IReadOnlyDictionary<string, decimal> Marks)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new SymbolJsonConverter() },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="FormatException">The text is not an exchange snapshot.</exception>
    public static ExchangeState FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<ExchangeState>(json, Json) ?? throw new FormatException("The exchange snapshot is empty.");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"The exchange snapshot is not valid: {ex.Message}", ex);
        }
    }

    /// <summary>SHA-256 of the orders, fills, cancellations and amendments: equal for two exchanges that did the same things.</summary>
    public string Fingerprint()
    {
        var text = JsonSerializer.Serialize(new { Orders, Fills, Cancellations, StopAmendments }, Json);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
