using System.Text.Json;
using System.Text.Json.Serialization;

namespace AiTrader.Core.Domain;

/// <summary>A <see cref="Symbol"/> as its JSON string, read through the one ticker parser (a bad ticker is a
/// <see cref="JsonException"/> naming why, never a path or an unchecked string).</summary>
public sealed class SymbolJsonConverter : JsonConverter<Symbol>
{
    public override Symbol Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Symbol.TryParse(reader.GetString(), out var symbol, out var error) ? symbol : throw new JsonException(error);

    public override void Write(Utf8JsonWriter writer, Symbol value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
