using System.Text;
using System.Text.Json;

namespace AiTrader.Application;

/// <summary>JSON documents written field by field (exact decimals, chosen names) for the service's answers and the jobs'
/// results, and the null-aware writes they share.</summary>
public static class JsonText
{
    /// <summary>The document <paramref name="body"/> writes, as a string.</summary>
    public static string Write(Action<Utf8JsonWriter> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            body(json);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The number, or null when there is none or it is not finite (JSON has no NaN or infinity).</summary>
    public static void WriteNumberOrNull(this Utf8JsonWriter json, string name, double? value)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (value is { } v && double.IsFinite(v))
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    public static void WriteStringOrNull(this Utf8JsonWriter json, string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    public static void WriteTimeOrNull(this Utf8JsonWriter json, string name, DateTime? value)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (value is { } v)
        {
            json.WriteString(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>An array property <paramref name="name"/> of one object per item, each written by <paramref name="fields"/>.</summary>
    public static void WriteObjects<T>(this Utf8JsonWriter json, string name, IEnumerable<T> items, Action<Utf8JsonWriter, T> fields)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(fields);
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            json.WriteStartObject();
            fields(json, item);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
