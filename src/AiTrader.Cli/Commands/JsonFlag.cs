namespace AiTrader.Cli.Commands;

/// <summary>The one spelling of "print JSON for a script" (<c>--json</c>): the command prints one JSON document on
/// standard output instead of its summary, and nothing else there; warnings and progress stay on standard error.</summary>
internal static class JsonFlag
{
    /// <summary>The <c>--json</c> switch; <paramref name="what"/> says what the document holds.</summary>
    public static System.CommandLine.Option<bool> Create(string what) =>
        new("--json") { Description = $"Print {what} as one JSON document on standard output instead of the summary, for scripts; warnings and progress stay on standard error." };

    /// <summary>Prints <paramref name="items"/> as one JSON array of objects, each written by <paramref name="fields"/>.</summary>
    public static Task WriteArrayAsync<T>(TextWriter stdout, IEnumerable<T> items, Action<System.Text.Json.Utf8JsonWriter, T> fields) =>
        stdout.WriteLineAsync(JsonText.Write(json =>
        {
            json.WriteStartArray();
            foreach (var item in items)
            {
                json.WriteStartObject();
                fields(json, item);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }));
}
