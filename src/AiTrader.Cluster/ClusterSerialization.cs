using System.Text.Json;
using System.Text.Json.Serialization;
using AiTrader.Core.Backtesting;
using Orleans.Serialization;

namespace AiTrader.Cluster;

/// <summary>How the cluster's messages carry the core's result types, which know nothing of Orleans: as JSON, which keeps
/// every double (shortest round-trip form, non-finite values by name) and every decimal with its scale, so a row from a
/// silo writes the same CSV bytes as one computed here.</summary>
public static class ClusterSerialization
{
    /// <summary>The options of that JSON: property names as declared, NaN and infinities allowed.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Registers the JSON codec for the core types the grains return (silo and client alike).</summary>
    public static void Add(ISerializerBuilder serializer) =>
        serializer.AddJsonSerializer(isSupported: type => type == typeof(PerformanceMetrics), JsonOptions);
}
