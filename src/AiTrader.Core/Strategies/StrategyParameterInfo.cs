namespace AiTrader.Core.Strategies;

/// <summary>One settable strategy parameter as listed by <c>aitrader strategies</c>: canonical name, default and meaning.</summary>
/// <param name="Name">The snake_case name used with <c>--param name=value</c>.</param>
/// <param name="Default">The default value as it would be typed on the command line.</param>
/// <param name="Description">What it controls, with accepted aliases.</param>
public sealed record StrategyParameterInfo(string Name, string Default, string Description);
