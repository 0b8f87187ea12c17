using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using AiTrader.Core.Domain;
using AiTrader.Core.Scanning;

namespace AiTrader.Core.Watchlists;

/// <summary>The JSON form of watchlists and scan refreshes shared by every store (snake_case, symbols as strings,
/// UTC instants with Z, decimals as exact numbers).</summary>
public static class WatchlistJson
{
    /// <summary>Bump when the document shape changes incompatibly.</summary>
    public const int FormatVersion = 1;

    public static JsonSerializerOptions Options { get; } = Create();

    public static string Serialize(Watchlist watchlist) =>
        JsonSerializer.Serialize(new WatchlistDocument(FormatVersion, watchlist), Options);

    public static string Serialize(ScanRefresh refresh) =>
        JsonSerializer.Serialize(new RefreshDocument(FormatVersion, refresh), Options);

    /// <exception cref="InvalidDataException">Not a watchlist document of this format version.</exception>
    public static Watchlist DeserializeWatchlist(string json, string where) =>
        Read<WatchlistDocument>(json, where) is { Version: FormatVersion, Watchlist: { } w }
            ? Utc(w)
            : throw new InvalidDataException($"{where} is not an AI Trader watchlist of format version {FormatVersion}.");

    /// <exception cref="InvalidDataException">Not a scan refresh document of this format version.</exception>
    public static ScanRefresh DeserializeRefresh(string json, string where) =>
        Read<RefreshDocument>(json, where) is { Version: FormatVersion, Refresh: { } r }
            ? r
            : throw new InvalidDataException($"{where} is not an AI Trader scan refresh of format version {FormatVersion}.");

    /// <summary>The step a store moves a timestamp on by when the key is taken: 1 µs, PostgreSQL's resolution.</summary>
    public static readonly TimeSpan KeyStep = TimeSpan.FromMicroseconds(1);

    /// <summary>Most times a save moves its key on before giving up (a bound, not a rate any real use reaches).</summary>
    public const int MaxKeyAttempts = 10_000;

    /// <summary>Offers <paramref name="first"/>, then each key <see cref="KeyStep"/> later, to <paramref name="tryKey"/>
    /// until it answers true (the key was free and is now taken); returns that key.</summary>
    /// <exception cref="IOException">No key was free in <see cref="MaxKeyAttempts"/> tries; the message is
    /// <paramref name="exhausted"/>.</exception>
    public static async Task<DateTime> TakeFreeKeyAsync(DateTime first, Func<DateTime, Task<bool>> tryKey, string exhausted)
    {
        ArgumentNullException.ThrowIfNull(tryKey);
        var key = first;
        for (var attempt = 0; attempt < MaxKeyAttempts; attempt++)
        {
            if (await tryKey(key).ConfigureAwait(false))
            {
                return key;
            }

            key += KeyStep;
        }

        throw new IOException(exhausted);
    }

    /// <summary><paramref name="utc"/> cut to whole microseconds, the precision every store keeps.</summary>
    public static DateTime ToKey(DateTime utc) =>
        new(utc.Ticks - (utc.Ticks % KeyStep.Ticks), DateTimeKind.Utc);

    /// <summary>The file or blob name of a timestamp: <c>20131008T132500.000000Z</c> (sorts in time order).</summary>
    public static string Stamp(DateTime utc) => ToKey(utc).ToString("yyyyMMdd'T'HHmmss'.'ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Reads a name made by <see cref="Stamp"/>; false for anything else.</summary>
    public static bool TryParseStamp(string text, out DateTime utc) =>
        DateTime.TryParseExact(text, "yyyyMMdd'T'HHmmss'.'ffffff'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out utc);

    private static T? Read<T>(string json, string where)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{where} is not valid watchlist JSON ({ex.Message.ReplaceLineEndings(" ")}).", ex);
        }
    }

    private static Watchlist Utc(Watchlist w) => w with { CreatedUtc = DateTime.SpecifyKind(w.CreatedUtc, DateTimeKind.Utc) };

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new SymbolJsonConverter());
        options.Converters.Add(new UtcDateTimeConverter());
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed record WatchlistDocument(int Version, Watchlist? Watchlist);

    private sealed record RefreshDocument(int Version, ScanRefresh? Refresh);

    /// <summary>Instants are always written with Z and read back as Kind=Utc.</summary>
    private sealed class UtcDateTimeConverter : JsonConverter<DateTime>
    {
        public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString();
            return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc)
                ? utc
                : throw new JsonException($"'{text}' is not a UTC instant.");
        }

        public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
            writer.WriteStringValue((value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : value.ToUniversalTime()).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
    }
}
