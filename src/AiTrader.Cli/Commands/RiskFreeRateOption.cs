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
        Description = "Annual risk-free rate that Sharpe, Sortino and alpha are measured against, as a fraction (0.04) or a percent (4%). Default: 0.",
    };

    /// <summary>The metrics options for the flag's value: the defaults (rf = 0) when it is absent.</summary>
    public static MetricsOptions Metrics(string? value) => new(RiskFreeRate: Parse(value));

    /// <summary>The checked annual rate as a fraction, in (−1, 1]; 0 when <paramref name="value"/> is null.</summary>
    /// <remarks>Above 100% a year is rejected as a slip rather than a rate: <c>4</c> almost always means 4%, not 400%.</remarks>
    public static double Parse(string? value)
    {
        if (value is null)
        {
            return 0.0;
        }

        var text = value.Trim();
        var percent = text.EndsWith('%');
        if (percent)
        {
            text = text[..^1].TrimEnd();
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            throw new CliException(
                $"{Name} '{value}' is not a number; give the annual rate as a fraction or a percent, e.g. {Name} 0.04 or {Name} 4%.");
        }

        var rate = percent ? number / 100 : number;
        return rate is > -1 and <= 1
            ? rate
            : throw new CliException(
                $"{Name} '{value}' is {BacktestReportWriter.FormatPercent(rate)} a year; it must be above -100% and at most 100%, e.g. {Name} 0.04 or {Name} 4% for 4%.");
    }
}
