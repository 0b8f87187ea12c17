using System.CommandLine;
using System.Globalization;
using AiTrader.Core.Backtesting;

namespace AiTrader.Cli.Commands;

/// <summary>The <c>--risk-free-rate</c> flag shared by the commands that compute performance metrics.</summary>
internal static class RiskFreeRateOption
{
    public const string Name = "--risk-free-rate";

    /// <summary>A fresh option: text, so that both <c>0.04</c> and <c>4%</c> are accepted.</summary>
    public static Option<string?> Create() => new(Name)
    {
        Description = "Annual risk-free rate that Sharpe, Sortino and alpha are measured against, as a fraction (0.04) or a percent (4%). [default: 0]",
    };

    /// <summary>The metrics options for the flag's value: the defaults (rf = 0) when it is absent.</summary>
    public static MetricsOptions Metrics(string? value) => new(RiskFreeRate: Parse(value));

    /// <summary>The checked annual rate as a fraction, in (−1, 1]; 0 when <paramref name="value"/> is null.</summary>
    /// <remarks>Above 100% a year is rejected as a slip rather than a rate: <c>4</c> almost always means 4%, not 400%.</remarks>
    public static double Parse(string? value) => RequestChecks.RiskFreeRate(value, Name);
}
