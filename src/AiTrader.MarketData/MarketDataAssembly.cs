namespace AiTrader.MarketData;

/// <summary>Marker for the market-data infrastructure assembly (vendor clients, streaming, DAL).</summary>
public static class MarketDataAssembly;
