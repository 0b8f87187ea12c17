using System.Text.Json;
using System.Text.Json.Serialization;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Brokers.Paper;

/// <summary>One paper execution as persisted: the order, both ids, price, fee and why a closing fill happened.</summary>
public sealed record PaperFill(
    string OrderId,
    string ClientOrderId,
    Symbol Symbol,
    OrderSide Side,
    decimal Quantity,
    decimal Price,
    decimal Fee,
    DateTime Timestamp,
    string ExitReason)
{
    /// <summary>The fill in the domain's shape (what portfolios, guardrails and the journal take).</summary>
    public Fill ToFill() => new(OrderId, Symbol, Side, Quantity, Price, Fee, Timestamp);
}

/// <summary>Everything a <see cref="PaperBroker"/> needs to come back after a restart: orders, fills, marks and the replay cursor.</summary>
/// <remarks>Positions, cash and round trips are not stored: they are rebuilt by re-booking <see cref="Fills"/>, so they cannot disagree.</remarks>
public sealed record PaperBrokerState(
    decimal InitialCash,
    IReadOnlyList<BrokerOrder> Orders,
    IReadOnlyList<PaperFill> Fills,
    IReadOnlyDictionary<string, decimal> LastPrices,
    DateTime? Now,
    DateTime? LastProcessedUtc)
{
    /// <summary>Serializer settings for the snapshot file: camelCase, enums as strings, symbols as plain strings.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = CreateOptions();

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    public static PaperBrokerState FromJson(string json) =>
        JsonSerializer.Deserialize<PaperBrokerState>(json, JsonOptions)
            ?? throw new FormatException("The paper broker snapshot is empty.");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true };
        options.Converters.Add(new JsonStringEnumConverter());
        options.Converters.Add(new SymbolJsonConverter());
        return options;
    }

    /// <summary>Writes a <see cref="Symbol"/> as its ticker string, because the struct has no settable property to bind.</summary>
    private sealed class SymbolJsonConverter : JsonConverter<Symbol>
    {
        public override Symbol Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(reader.GetString() ?? throw new JsonException("A symbol must be a string."));

        public override void Write(Utf8JsonWriter writer, Symbol value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Value);
    }
}
