using AiTrader.Core.Domain;

namespace AiTrader.Core.MarketData;

/// <summary>A stock split: on <see cref="ExDate"/> (first session on the new basis) <see cref="RatioFrom"/> old shares become <see cref="RatioTo"/> new shares.</summary>
public sealed record SplitEvent(Symbol Symbol, DateOnly ExDate, decimal RatioFrom, decimal RatioTo)
{
    /// <summary>New shares per old share (7 for AAPL's 2014 7:1 split, 0.05 for AIG's 2009 1-for-20 reverse split).
    /// Back-adjusted prices before the ex-date are divided by it and volumes multiplied by it.</summary>
    public decimal Factor => RatioTo / RatioFrom;
}
