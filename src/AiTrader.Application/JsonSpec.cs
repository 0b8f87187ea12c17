using System.Text.Json;
using System.Text.Json.Serialization;

namespace AiTrader.Application;

/// <summary>How the job specs (<see cref="Backtests.BacktestSpec"/>, <see cref="Sweeps.SweepSpec"/>) are read and written:
/// strict JSON (unknown properties and wrong types refused), and each error as one <see cref="RequestException"/>
/// naming the field.</summary>
internal static class JsonSpec
{
    public static readonly JsonSerializerOptions Options = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <param name="what">The document's name in messages, e.g. "backtest spec".</param>
    /// <param name="example">A minimal valid document for the message of an empty one.</param>
    public static T Parse<T>(string json, string what, string example)
        where T : class
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new RequestException($"the {what} is empty; send a JSON object such as {example}.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(json, Options)
                ?? throw new RequestException($"the {what} is null; send a JSON object such as {example}.");
        }
        catch (JsonException ex)
        {
            var field = FieldOf(ex);
            var problem = ex.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].Trim();
            throw new RequestException(field is null ? $"the {what} is not valid JSON: {problem}" : $"{field}: {problem}", field);
        }
    }

    /// <summary>The spec field a JSON error is about: the first property of its path (<c>$.parameters.x</c> is
    /// <c>parameters</c>), or the unknown property's name.</summary>
    private static string? FieldOf(JsonException ex)
    {
        if (ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal))
        {
            var rest = path[2..];
            var cut = rest.IndexOfAny(['.', '[']);
            return cut < 0 ? rest : rest[..cut];
        }

        // "The JSON property 'x' could not be mapped to any .NET member contained in type ...".
        var message = ex.Message;
        var open = message.IndexOf('\'', StringComparison.Ordinal);
        var close = open < 0 ? -1 : message.IndexOf('\'', open + 1);
        return message.Contains("could not be mapped", StringComparison.Ordinal) && close > open + 1 ? message[(open + 1)..close] : null;
    }

    /// <summary>Reads <c>parameters</c> as an object of strings, numbers or booleans (each kept as its JSON text), so
    /// <c>{"lookback": 55}</c> and <c>{"lookback": "55"}</c> mean the same.</summary>
    internal sealed class ParameterMapConverter : JsonConverter<IReadOnlyDictionary<string, string>?>
    {
        public override IReadOnlyDictionary<string, string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("parameters must be an object of name: value, e.g. {\"lookback\": 55}.");
            }

            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = reader.GetString()!;
                reader.Read();
                result[name] = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString()!,
                    JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                    JsonTokenType.True => "true",
                    JsonTokenType.False => "false",
                    _ => throw new JsonException($"parameters.{name} must be a string, a number or a boolean."),
                };
            }

            return result;
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, string>? value, JsonSerializerOptions options)
        {
            if (value is null)
            {
                writer.WriteNullValue();
                return;
            }

            writer.WriteStartObject();
            foreach (var (key, text) in value.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, text);
            }

            writer.WriteEndObject();
        }
    }
}
