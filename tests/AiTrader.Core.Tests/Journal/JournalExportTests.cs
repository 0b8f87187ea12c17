using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.Journal;
using static AiTrader.Core.Tests.Journal.JournalTestKit;

namespace AiTrader.Core.Tests.Journal;

public sealed class JournalExportTests
{
    private static readonly JournalEntry[] Sample =
    [
        new(1, new DateTime(2024, 7, 3, 13, 45, 0, DateTimeKind.Utc), JournalKind.Block, "SPY", OrderSide.Buy, 10m, 545.25m,
            null, "c-1", "pdt: 3 day trades in the 5 business days 2024-06-27..2024-07-03 and equity $20,000.00 < $25,000.00; a 4th is not allowed",
            """{"rule":"pdt","equity":20000.00}""", "block:c-1"),
        new(2, new DateTime(2024, 7, 3, 13, 46, 0, DateTimeKind.Utc).AddTicks(1234560), JournalKind.Fill, "AAPL", OrderSide.Sell, 5m, 220.10m,
            "o-9", null, "exit: said \"take profit\"\nnow", null, null),
        new(3, new DateTime(2024, 7, 4, 0, 30, 0, DateTimeKind.Utc), JournalKind.Summary, null, null, null, null, null, null, "plain", null, "summary:2024-07-03"),
    ];

    [Fact]
    public async Task Csv_header_is_exact_and_reasons_with_commas_quotes_and_newlines_are_quoted()
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        await JournalExport.WriteCsvAsync(Sample, writer);
        var text = writer.ToString();

        Assert.StartsWith("timestamp,kind,symbol,side,quantity,price,order_id,reason", text);
        Assert.Equal(JournalExport.CsvHeader, text.Split('\n')[0]);
        Assert.Equal(
            "2024-07-03T13:45:00Z,block,SPY,buy,10,545.25,,\"pdt: 3 day trades in the 5 business days 2024-06-27..2024-07-03 and equity $20,000.00 < $25,000.00; a 4th is not allowed\",c-1,block:c-1,1,\"{\"\"rule\"\":\"\"pdt\"\",\"\"equity\"\":20000.00}\"",
            JournalExport.ToCsvRow(Sample[0]));
        Assert.Equal(
            "2024-07-03T13:46:00.123456Z,fill,AAPL,sell,5,220.10,o-9,\"exit: said \"\"take profit\"\"\nnow\",,,2,",
            JournalExport.ToCsvRow(Sample[1]));
        Assert.Equal("2024-07-04T00:30:00Z,summary,,,,,,plain,,summary:2024-07-03,3,", JournalExport.ToCsvRow(Sample[2]));

        // A standard RFC 4180 reader gets the reason back intact.
        var rows = ParseCsv(text);
        Assert.Equal(4, rows.Count);
        Assert.Equal(Sample[0].Reason, rows[1][7]);
        Assert.Equal(Sample[1].Reason, rows[2][7]);
        Assert.Equal(Sample[0].Data, rows[1][11]);
        Assert.All(rows, r => Assert.Equal(12, r.Count));
    }

    [Fact]
    public async Task Jsonl_round_trips_every_field_one_object_per_line()
    {
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        await JournalExport.WriteJsonlAsync(Sample, writer);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("{\"id\":1,\"timestamp\":\"2024-07-03T13:45:00Z\",\"kind\":\"block\",\"symbol\":\"SPY\",\"side\":\"buy\",\"quantity\":10,\"price\":545.25,", lines[0]);
        Assert.Contains("\"data\":{\"rule\":\"pdt\",\"equity\":20000.00}", lines[0]);

        var back = await JournalExport.ReadJsonlAsync(new StringReader(writer.ToString()));
        Assert.Equal(Sample, back);
        Assert.Equal("220.10", back[1].Price!.Value.ToString(CultureInfo.InvariantCulture)); // the scale survives too
        Assert.Equal(DateTimeKind.Utc, back[1].Timestamp.Kind);
    }

    [Fact]
    public async Task Jsonl_reader_names_the_bad_line()
    {
        var ex = await Assert.ThrowsAsync<FormatException>(() =>
            JournalExport.ReadJsonlAsync(new StringReader(JournalExport.ToJsonLine(Sample[0]) + "\n{\"kind\":\"fill\"}\n")));
        Assert.Contains("line 2", ex.Message);
    }

    // A minimal RFC 4180 reader, independent of the writer under test.
    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
            }
            else
            {
                field.Append(c);
            }
        }

        return rows;
    }
}
