using AiTrader.Cli;
using AiTrader.Core.Domain;
using AiTrader.Core.Journal;
using AiTrader.Core.Tests.TestSupport;
using AiTrader.Storage;
using static AiTrader.Core.Tests.Journal.JournalTestKit;

namespace AiTrader.Core.Tests.Journal;

/// <summary>Tests that change process environment variables; xunit runs this collection alone, after the parallel ones.</summary>
[Trait("Category", "Cli")]
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "process environment";
}

[Collection(EnvironmentCollection.Name)]
public sealed class JournalCliTests : IDisposable
{
    // The CLI must read the SQLite journal here even on a machine with a DATABASE_URL.
    private readonly IsolatedStateDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("table")]
    [InlineData("csv")]
    [InlineData("jsonl")]
    public async Task Empty_journal_says_so_and_exits_0(string format)
    {
        var (code, output, err) = await CliRunner.Run("journal", "--format", format);
        Assert.Equal(0, code);
        Assert.Contains("No journal entries", format == "table" ? output : err);
        if (format == "csv")
        {
            Assert.Equal(JournalExport.CsvHeader, output.Trim());
        }

        Assert.False(File.Exists(Path.Combine(_dir.Path, SqliteJournal.DefaultFileName)), "reading must not create the journal");
    }

    [Fact]
    public async Task Prints_csv_jsonl_and_table_filtered_by_new_york_date_kind_and_symbol()
    {
        await Seed();

        var (code, csv, err) = await CliRunner.Run("journal", "--date", "2024-07-03", "--format", "csv");
        Assert.True(code == 0, err);
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.StartsWith("timestamp,kind,symbol,side,quantity,price,order_id,reason", lines[0]);
        Assert.Equal(4, lines.Length); // three July 3rd entries, the 00:30Z fill included; the July 4th 14:00Z one is not
        Assert.Contains("2024-07-04T00:30:00Z,fill,SPY,sell,10,546.5,o-2,", lines[3]);
        Assert.Contains("\"pdt: 3 day trades, equity $20,000.00 < $25,000.00\"", lines[2]);

        (code, var blocks, err) = await CliRunner.Run("journal", "--kind", "block", "--format", "csv");
        Assert.True(code == 0, err);
        Assert.Equal(3, blocks.TrimEnd('\n').Split('\n').Length);

        (code, var jsonl, err) = await CliRunner.Run("journal", "--symbol", "spy", "--format", "jsonl");
        Assert.True(code == 0, err);
        var entries = await JournalExport.ReadJsonlAsync(new StringReader(jsonl));
        Assert.Equal([JournalKind.Order, JournalKind.Fill, JournalKind.Fill], entries.Select(e => e.Kind));

        (code, var table, err) = await CliRunner.Run("journal", "--date", "2024-07-04");
        Assert.True(code == 0, err);
        Assert.Contains("QQQ", table);
        Assert.Contains("o-3", table);
        Assert.DoesNotContain("o-2", table); // 00:30Z on the 4th is the 3rd in New York
        Assert.Contains("2 entries", table);

        (code, table, _) = await CliRunner.Run("journal", "--date", "2024-07-05");
        Assert.Equal(0, code);
        Assert.Contains("No journal entries on 2024-07-05", table);
    }

    [Theory]
    [InlineData("journal --date 2024-13-01", "--date")]
    [InlineData("journal --date yesterday", "YYYY-MM-DD")]
    [InlineData("journal --kind trade", "--kind 'trade'")]
    [InlineData("journal --format xml", "--format 'xml'")]
    [InlineData("journal --symbol S$P", "--symbol")]
    public async Task Bad_flags_get_one_line_and_exit_code_2(string commandLine, string expected)
    {
        var (code, _, err) = await CliRunner.Run(commandLine.Split(' '));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
    }

    private async Task Seed()
    {
        await using var journal = SqliteJournal.InDataDirectory(_dir.Path);
        var order = JournalEntry.Create(Ny(2024, 7, 3, 10), JournalKind.Order, "entry", "SPY");
        await journal.AppendAsync(order with { Side = OrderSide.Buy, Quantity = 10m, OrderId = "o-1" });
        await journal.AppendAsync(Block(Ny(2024, 7, 3, 11), "IBM", "pdt: 3 day trades, equity $20,000.00 < $25,000.00"));
        await journal.AppendAsync(FillEntry(new DateTime(2024, 7, 4, 0, 30, 0, DateTimeKind.Utc), "SPY", OrderSide.Sell, 10m, 546.5m, "o-2"));
        await journal.AppendAsync(FillEntry(new DateTime(2024, 7, 4, 14, 0, 0, DateTimeKind.Utc), "SPY", OrderSide.Buy, 1m, 1m, "o-3"));
        await journal.AppendAsync(Block(new DateTime(2024, 7, 4, 15, 0, 0, DateTimeKind.Utc), "QQQ", "rate: 6 orders in 60 s > 5"));
    }
}
