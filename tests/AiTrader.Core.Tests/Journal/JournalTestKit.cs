using AiTrader.Core.Domain;
using AiTrader.Core.Journal;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Tests.Journal;

/// <summary>Builders for journal entries written in New York wall-clock time.</summary>
internal static class JournalTestKit
{
    public static DateTime Ny(int year, int month, int day, int hour, int minute = 0) =>
        ExchangeTime.ToUtc(new DateOnly(year, month, day), new TimeOnly(hour, minute));

    public static JournalEntry FillEntry(DateTime utc, string symbol, OrderSide side, decimal quantity, decimal price,
        string orderId, string? data = null) =>
        new(0, utc, JournalKind.Fill, symbol, side, quantity, price, orderId, null, "", data);

    public static JournalEntry Block(DateTime utc, string symbol, string reason) =>
        JournalEntry.Create(utc, JournalKind.Block, reason, symbol) with { Side = OrderSide.Buy, Quantity = 10m, Price = 100m };
}
