using System.Globalization;
using System.Text;
using System.Text.Json;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Journal;

/// <summary>CSV (RFC 4180) and JSON Lines writers for journal entries, and the JSONL reader that round-trips them.</summary>
public static class JournalExport
{
    /// <summary>The CSV header. The first eight columns are the contract other tools rely on; more may be appended later.</summary>
    public const string CsvHeader = "timestamp,kind,symbol,side,quantity,price,order_id,reason,client_order_id,event_key,id,data";

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'";

    /// <summary>Writes the header and one CSV row per entry; fields holding a comma, quote or line break are quoted.</summary>
    public static async Task WriteCsvAsync(IEnumerable<JournalEntry> entries, TextWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(writer);
        await writer.WriteAsync(CsvHeader.AsMemory(), cancellationToken).ConfigureAwait(false);
        await writer.WriteAsync("\n".AsMemory(), cancellationToken).ConfigureAwait(false);
        foreach (var e in entries)
        {
            await writer.WriteAsync((ToCsvRow(e) + "\n").AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One CSV row (no line terminator) in <see cref="CsvHeader"/>'s column order.</summary>
    public static string ToCsvRow(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        string?[] fields =
        [
            Timestamp(entry.Timestamp),
            entry.Kind.ToText(),
            entry.Symbol?.Value,
            SideText(entry.Side),
            Number(entry.Quantity),
            Number(entry.Price),
            entry.OrderId,
            entry.Reason,
            entry.ClientOrderId,
            entry.EventKey,
            entry.Id.ToString(CultureInfo.InvariantCulture),
            entry.Data,
        ];
        return string.Join(',', fields.Select(CsvField));
    }

    /// <summary>Writes one compact JSON object per line (snake_case keys; <c>data</c> embedded as an object).</summary>
    public static async Task WriteJsonlAsync(IEnumerable<JournalEntry> entries, TextWriter writer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var e in entries)
        {
            await writer.WriteAsync((ToJsonLine(e) + "\n").AsMemory(), cancellationToken).ConfigureAwait(false);
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The JSON object of one entry, on one line.</summary>
    public static string ToJsonLine(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("id", entry.Id);
            json.WriteString("timestamp", Timestamp(entry.Timestamp));
            json.WriteString("kind", entry.Kind.ToText());
            WriteStringOrNull(json, "symbol", entry.Symbol?.Value);
            WriteStringOrNull(json, "side", SideText(entry.Side));
            WriteNumberOrNull(json, "quantity", entry.Quantity);
            WriteNumberOrNull(json, "price", entry.Price);
            WriteStringOrNull(json, "order_id", entry.OrderId);
            WriteStringOrNull(json, "client_order_id", entry.ClientOrderId);
            json.WriteString("reason", entry.Reason);
            WriteStringOrNull(json, "event_key", entry.EventKey);
            json.WritePropertyName("data");
            if (entry.Data is null)
            {
                json.WriteNullValue();
            }
            else
            {
                json.WriteRawValue(entry.Data);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads entries written by <see cref="WriteJsonlAsync"/>; blank lines are skipped.</summary>
    public static async Task<IReadOnlyList<JournalEntry>> ReadJsonlAsync(TextReader reader, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var result = new List<JournalEntry>();
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                result.Add(ParseJsonLine(line));
            }
            catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
            {
                throw new FormatException($"JSONL line {lineNumber}: {ex.Message}", ex);
            }
        }

        return result;
    }

    /// <summary>Parses one line written by <see cref="ToJsonLine"/>.</summary>
    public static JournalEntry ParseJsonLine(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var o = doc.RootElement;
        var data = o.TryGetProperty("data", out var d) && d.ValueKind != JsonValueKind.Null ? d.GetRawText() : null;
        var symbol = Str(o, "symbol");
        return new JournalEntry(
            o.TryGetProperty("id", out var id) ? id.GetInt64() : 0,
            DateTime.ParseExact(o.GetProperty("timestamp").GetString()!, TimestampFormat, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            JournalKinds.Parse(o.GetProperty("kind").GetString()!),
            symbol is null ? (Symbol?)null : new Symbol(symbol),
            ParseSide(Str(o, "side")),
            Dec(o, "quantity"),
            Dec(o, "price"),
            Str(o, "order_id"),
            Str(o, "client_order_id"),
            Str(o, "reason") ?? string.Empty,
            data,
            Str(o, "event_key"));
    }

    /// <summary><c>buy</c>, <c>sell</c> or null.</summary>
    public static string? SideText(OrderSide? side) => side switch
    {
        OrderSide.Buy => "buy",
        OrderSide.Sell => "sell",
        _ => null,
    };

    /// <summary>Parses <c>buy</c>/<c>sell</c> (any case); null or empty gives null.</summary>
    public static OrderSide? ParseSide(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return text.Trim().ToLowerInvariant() switch
        {
            "buy" => OrderSide.Buy,
            "sell" => OrderSide.Sell,
            _ => throw new FormatException($"Unknown side '{text}'; use buy or sell."),
        };
    }

    /// <summary>ISO 8601 UTC with up to six fractional digits, e.g. <c>2024-07-03T14:30:00Z</c>.</summary>
    public static string Timestamp(DateTime utc) => utc.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    private static string? Number(decimal? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string CsvField(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, decimal? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static decimal? Dec(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDecimal() : null;
}
