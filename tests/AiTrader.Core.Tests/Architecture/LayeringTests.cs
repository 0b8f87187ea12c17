using System.Reflection;
using AiTrader.Core.Domain;
using NetArchTest.Rules;

namespace AiTrader.Core.Tests.Architecture;

/// <summary>The layering of docs/explanations/architecture.md, checked on the compiled code: a type may use its own layer
/// and the layers below it, never one above it, and the two drivers of the one loop (Backtesting, Agents) never each other.</summary>
public class LayeringTests
{
    private const string Root = "AiTrader.Core.";

    /// <summary>Lowest first. Layers on one row are siblings: below the next row, independent of each other only where
    /// <see cref="Siblings"/> says so.</summary>
    public static readonly string[][] Layers =
    [
        ["Domain", "IO"],
        ["Sessions"],
        ["MarketData"],
        ["Signals"],
        ["Strategies"],
        ["Scanning"],
        ["Watchlists"],
        ["Risk"],
        ["Brokers", "Journal"],
        ["Execution"],
        ["Backtesting", "Agents"],
        ["Reporting"],
    ];

    /// <summary>Pairs on one row that must not reference each other.</summary>
    private static readonly (string, string)[] Siblings = [("Domain", "IO"), ("Brokers", "Journal"), ("Backtesting", "Agents")];

    private static Assembly Core => typeof(Symbol).Assembly;

    public static TheoryData<string> LayerNames => new(Layers.SelectMany(row => row));

    [Theory]
    [MemberData(nameof(LayerNames))]
    public void A_layer_uses_no_layer_above_it(string layer)
    {
        var row = Array.FindIndex(Layers, r => r.Contains(layer));
        var above = Layers.Skip(row + 1).SelectMany(r => r).Select(n => Root + n).ToArray();
        if (above.Length == 0)
        {
            return;
        }

        var result = Types.InAssembly(Core).That().ResideInNamespace(Root + layer).ShouldNot().HaveDependencyOnAny(above).GetResult();
        Assert.True(result.IsSuccessful,
            $"{layer} reaches up into {string.Join(", ", above)}: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void Siblings_do_not_use_each_other()
    {
        foreach (var (a, b) in Siblings.Concat(Siblings.Select(p => (p.Item2, p.Item1))))
        {
            var result = Types.InAssembly(Core).That().ResideInNamespace(Root + a).ShouldNot().HaveDependencyOn(Root + b).GetResult();
            Assert.True(result.IsSuccessful, $"{a} uses {b}: {string.Join(", ", result.FailingTypeNames ?? [])}");
        }
    }

    [Fact]
    public void Every_core_namespace_has_a_layer()
    {
        var known = Layers.SelectMany(r => r).ToHashSet(StringComparer.Ordinal);
        var namespaces = Core.GetTypes().Select(t => t.Namespace).OfType<string>().Where(n => n.StartsWith(Root, StringComparison.Ordinal))
            .Select(n => n[Root.Length..].Split('.')[0]).Distinct().ToList();
        Assert.All(namespaces, n => Assert.True(known.Contains(n), $"AiTrader.Core.{n} is in no layer; add it to the layering (and the architecture doc)"));
    }

    [Fact]
    public void The_test_fails_on_a_reference_against_the_flow()
    {
        // The rule is live: strategies really do depend on signals, so asking the reverse must fail.
        var result = Types.InAssembly(Core).That().ResideInNamespace(Root + "Strategies").ShouldNot().HaveDependencyOn(Root + "Signals").GetResult();
        Assert.False(result.IsSuccessful);
    }

    [Fact]
    public void Core_uses_no_web_database_or_cloud_package_and_market_data_no_broker_adapter()
    {
        static IEnumerable<string> References(Assembly a) => a.GetReferencedAssemblies().Select(r => r.Name!);
        Assert.All(References(Core), name => Assert.True(name.StartsWith("System", StringComparison.Ordinal) || name is "netstandard" or "mscorlib",
            $"AiTrader.Core references {name}"));

        var marketData = typeof(AiTrader.MarketData.MarketDataAssembly).Assembly;
        Assert.DoesNotContain("AiTrader.Brokers", References(marketData));
        Assert.DoesNotContain("AiTrader.Cli", References(marketData));
        var storage = typeof(AiTrader.Storage.UtcRange).Assembly;
        Assert.DoesNotContain("AiTrader.MarketData", References(storage));
        Assert.DoesNotContain("AiTrader.Brokers", References(storage));
    }
}
