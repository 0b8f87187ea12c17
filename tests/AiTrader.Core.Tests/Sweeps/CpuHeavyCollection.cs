namespace AiTrader.Core.Tests.Sweeps;

/// <summary>Sweeps and bias checks saturate every core; running them apart keeps wall-clock tests elsewhere honest.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CpuHeavyCollection
{
    public const string Name = "CPU-heavy sweeps and bias checks";
}
