using AiTrader.Core.Domain;
using AiTrader.Core.Journal;
using static AiTrader.Core.Tests.Journal.JournalTestKit;

namespace AiTrader.Core.Tests.Journal;

public sealed class JournalEntryTests
{
    [Fact]
    public void After_hours_0030Z_belongs_to_the_previous_New_York_date()
    {
        // 2024-07-03 20:30 EDT = 2024-07-04 00:30Z: still July 3rd in New York.
        var entry = JournalEntry.Create(new DateTime(2024, 7, 4, 0, 30, 0, DateTimeKind.Utc), JournalKind.Fill, "after hours", "SPY");
        Assert.Equal(new DateOnly(2024, 7, 3), entry.SessionDate);
        Assert.True(new JournalQuery(Date: new DateOnly(2024, 7, 3)).Matches(entry));
        Assert.False(new JournalQuery(Date: new DateOnly(2024, 7, 4)).Matches(entry));

        // Winter (EST, UTC-5): 04:59Z is 23:59 the day before, 05:00Z is midnight of the day.
        var range = new JournalQuery(Date: new DateOnly(2024, 1, 10)).UtcRange!.Value;
        Assert.Equal(new DateTime(2024, 1, 10, 5, 0, 0, DateTimeKind.Utc), range.StartUtc);
        Assert.Equal(new DateTime(2024, 1, 11, 5, 0, 0, DateTimeKind.Utc), range.EndUtc);
    }

    [Fact]
    public void Query_filters_by_kind_and_symbol()
    {
        var fill = FillEntry(Ny(2024, 7, 3, 10), "SPY", OrderSide.Buy, 1, 1, "o1");
        Assert.True(new JournalQuery(Kind: JournalKind.Fill, Symbol: new Symbol("spy")).Matches(fill));
        Assert.False(new JournalQuery(Kind: JournalKind.Order).Matches(fill));
        Assert.False(new JournalQuery(Symbol: new Symbol("QQQ")).Matches(fill));
        Assert.True(JournalQuery.All.Matches(fill));
    }

    [Theory]
    [InlineData("block", JournalKind.Block)]
    [InlineData(" FILL ", JournalKind.Fill)]
    [InlineData("summary", JournalKind.Summary)]
    public void Kinds_parse_case_insensitively(string text, JournalKind expected) =>
        Assert.Equal(expected, JournalKinds.Parse(text));

    [Fact]
    public void Kind_names_are_the_issue_list_plus_webhook_deliveries()
    {
        Assert.Equal(["decision", "block", "order", "fill", "cancel", "reject", "position", "summary", "webhook"], JournalKinds.Names);
        Assert.Throws<FormatException>(() => JournalKinds.Parse("trade"));
    }

    [Fact]
    public void Normalize_requires_utc_and_a_json_object_and_truncates_to_microseconds()
    {
        var local = JournalEntry.Create(new DateTime(2024, 7, 3, 10, 0, 0, DateTimeKind.Unspecified), JournalKind.Decision, "x");
        Assert.Throws<ArgumentException>(() => local.Normalize());

        var utc = new DateTime(2024, 7, 3, 14, 0, 0, DateTimeKind.Utc).AddTicks(1234567);
        var entry = JournalEntry.Create(utc, JournalKind.Decision, "x");
        Assert.Equal(utc.AddTicks(-7), entry.Normalize().Timestamp);
        Assert.Throws<ArgumentException>(() => (entry with { Data = "[1,2]" }).Normalize());
        Assert.Throws<ArgumentException>(() => (entry with { Data = "{not json" }).Normalize());
        Assert.Throws<ArgumentException>(() => (entry with { EventKey = " " }).Normalize());
    }
}
