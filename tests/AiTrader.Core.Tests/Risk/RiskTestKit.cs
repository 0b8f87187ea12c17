using AiTrader.Core.Domain;
using AiTrader.Core.Risk;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Tests.Risk;

/// <summary>Builders for guardrail scenarios written in New York wall-clock time.</summary>
internal static class RiskTestKit
{
    private static int _orderId;

    /// <summary>The UTC instant of a New York wall-clock time, e.g. At(2024, 7, 3, 10, 0).</summary>
    public static DateTime At(int year, int month, int day, int hour, int minute = 0, int second = 0) =>
        ExchangeTime.ToUtc(new DateOnly(year, month, day), new TimeOnly(hour, minute, second));

    public static AccountSnapshot Account(decimal equity, bool brokerReportsPdt = false, params (string Symbol, decimal Quantity, decimal Mark)[] positions)
    {
        var map = positions.ToDictionary(p => new Symbol(p.Symbol), p => new PositionSnapshot(p.Quantity, p.Mark));
        var cash = equity - map.Values.Sum(p => p.MarketValue);
        return new AccountSnapshot(equity, cash, map, brokerReportsPdt);
    }

    public static OrderCheck Opening(string symbol, DateTime utc, decimal equity, decimal quantity = 10m, decimal price = 100m, OrderSide side = OrderSide.Buy) =>
        new(symbol, side, quantity, price, isOpening: true, Account(equity), utc);

    public static OrderCheck Closing(string symbol, DateTime utc, decimal equity, decimal quantity = 10m, decimal price = 100m, OrderSide side = OrderSide.Sell) =>
        new(symbol, side, quantity, price, isOpening: false, Account(equity), utc);

    public static Fill Fill(string symbol, OrderSide side, decimal quantity, DateTime utc, decimal price = 100m) =>
        new($"o{Interlocked.Increment(ref _orderId)}", symbol, side, quantity, price, 0m, utc);

    public static Fill Buy(string symbol, decimal quantity, DateTime utc) => Fill(symbol, OrderSide.Buy, quantity, utc);

    public static Fill Sell(string symbol, decimal quantity, DateTime utc) => Fill(symbol, OrderSide.Sell, quantity, utc);
}
