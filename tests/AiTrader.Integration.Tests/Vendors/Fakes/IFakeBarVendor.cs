using AiTrader.Core.Domain;

namespace AiTrader.Integration.Tests.Vendors.Fakes;

/// <summary>A fake vendor that serves bars from in-memory minute and daily lists.</summary>
public interface IFakeBarVendor
{
    List<Bar> MinuteBars { get; }

    List<(DateOnly Date, Bar Bar)> DailyBars { get; }
}
