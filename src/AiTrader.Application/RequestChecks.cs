using System.Globalization;
using AiTrader.Core.Execution;

namespace AiTrader.Application;

/// <summary>Checks of request values that several use cases share, each failing with one <see cref="RequestException"/>
/// naming the flag, the rule and the value given.</summary>
public static class RequestChecks
{
    /// <summary>Initial capital: positive and at most <see cref="ExchangeOptions.MaxCapital"/>.</summary>
    public static decimal Capital(decimal value) => value <= ExchangeOptions.MaxCapital
        ? Positive(value, "--capital")
        : throw new RequestException(
            $"--capital must be at most {ExchangeOptions.MaxCapital.ToString("N0", CultureInfo.InvariantCulture)} (got {value.ToString(CultureInfo.InvariantCulture)}).",
            "capital");

    public static decimal Positive(decimal value, string flag) => value > 0
        ? value
        : throw new RequestException($"{flag} must be greater than 0 (got {value.ToString(CultureInfo.InvariantCulture)}).", Field(flag));

    public static decimal NonNegative(decimal value, string flag) => value >= 0
        ? value
        : throw new RequestException($"{flag} must not be negative (got {value.ToString(CultureInfo.InvariantCulture)}).", Field(flag));

    /// <summary>The request field a flag sets: <c>--slippage-bps</c> is <c>slippage_bps</c>.</summary>
    public static string Field(string flag) => flag.TrimStart('-').Replace('-', '_');
}
