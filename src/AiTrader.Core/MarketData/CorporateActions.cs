using System.Globalization;
using AiTrader.Core.Domain;

namespace AiTrader.Core.MarketData;

/// <summary>Loads corporate-action files such as <c>corporate_actions/splits.csv</c> (<c>symbol,ex_date,ratio_from,ratio_to</c>).</summary>
public static class CorporateActions
{
    private const string SplitsHeader = "symbol,ex_date,ratio_from,ratio_to";

    /// <summary>Reads every split in the file, in file order. Errors name the file and line.</summary>
    public static IReadOnlyList<SplitEvent> LoadSplits(string path)
    {
        if (!File.Exists(path))
        {
            throw new MarketDataException($"{path}: file not found; expected a splits file with header {SplitsHeader}.");
        }

        using var reader = new StreamReader(path);
        return ParseSplits(reader, path);
    }

    /// <summary>Parses splits CSV text; <paramref name="sourceName"/> names the input in error messages.</summary>
    public static IReadOnlyList<SplitEvent> ParseSplits(TextReader reader, string sourceName)
    {
        var header = reader.ReadLine();
        if (header is null)
        {
            throw new MarketDataException($"{sourceName}:1: file is empty; expected a header row {SplitsHeader}");
        }

        var names = header.TrimEnd('\r').Split(',').Select(n => n.Trim()).ToList();
        int Require(string name)
        {
            var i = names.FindIndex(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
            return i >= 0 ? i : throw new MarketDataException($"{sourceName}:1: missing column '{name}' (expected {SplitsHeader})");
        }

        var symbolAt = Require("symbol");
        var exDateAt = Require("ex_date");
        var fromAt = Require("ratio_from");
        var toAt = Require("ratio_to");
        var needed = new[] { symbolAt, exDateAt, fromAt, toAt }.Max() + 1;

        var splits = new List<SplitEvent>();
        var lineNumber = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            var fields = line.TrimEnd('\r').Split(',');
            if (fields.Length < needed)
            {
                throw new MarketDataException($"{sourceName}:{lineNumber}: expected {needed} columns like the header, found {fields.Length}");
            }

            Symbol symbol;
            try
            {
                symbol = new Symbol(fields[symbolAt]);
            }
            catch (ArgumentException e)
            {
                throw new MarketDataException($"{sourceName}:{lineNumber}: {e.Reason()}");
            }

            var dateText = fields[exDateAt].Trim();
            if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var exDate))
            {
                throw new MarketDataException($"{sourceName}:{lineNumber}: '{dateText}' is not a date in column ex_date; use yyyy-MM-dd");
            }

            var from = Ratio(fields[fromAt], "ratio_from", sourceName, lineNumber);
            var to = Ratio(fields[toAt], "ratio_to", sourceName, lineNumber);
            splits.Add(new SplitEvent(symbol, exDate, from, to));
        }

        return splits;
    }

    private static decimal Ratio(string text, string column, string source, int lineNumber)
    {
        text = text.Trim();
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            throw new MarketDataException($"{source}:{lineNumber}: '{text}' is not a positive number in column {column}");
        }

        return value;
    }
}
