using System.Globalization;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk;
using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Strategies;

namespace AiTrader.Application;

/// <summary>Checks of request values that several use cases and surfaces share, each failing with one
/// <see cref="RequestException"/> naming the value, the rule and what was given. <c>name</c> is how the surface spells the
/// value: a CLI flag (<c>--capital</c>) or a JSON field (<c>capital</c>); the exception's field is the JSON name either way.</summary>
public static class RequestChecks
{
    /// <summary>Initial capital: positive and at most <see cref="ExchangeOptions.MaxCapital"/>.</summary>
    public static decimal Capital(decimal value, string name = "--capital") => value <= ExchangeOptions.MaxCapital
        ? Positive(value, name)
        : throw new RequestException(
            $"{name} must be at most {ExchangeOptions.MaxCapital.ToString("N0", CultureInfo.InvariantCulture)} (got {value.ToString(CultureInfo.InvariantCulture)}).",
            Field(name));

    public static decimal Positive(decimal value, string flag) => value > 0
        ? value
        : throw new RequestException($"{flag} must be greater than 0 (got {value.ToString(CultureInfo.InvariantCulture)}).", Field(flag));

    public static decimal NonNegative(decimal value, string flag) => value >= 0
        ? value
        : throw new RequestException($"{flag} must not be negative (got {value.ToString(CultureInfo.InvariantCulture)}).", Field(flag));

    /// <summary>What <paramref name="read"/> returns; the <see cref="ArgumentException"/> it throws for a bad value becomes
    /// the one <see cref="RequestException"/> naming <paramref name="field"/>: the exception's reason, worded by
    /// <paramref name="word"/> when given (e.g. <c>reason =&gt; $"bucket: {reason}"</c>).</summary>
    public static T Checked<T>(Func<T> read, string field, Func<string, string>? word = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return read();
        }
        catch (ArgumentException ex)
        {
            throw new RequestException(word is null ? ex.Reason() : word(ex.Reason()), field);
        }
    }

    /// <summary><see cref="Checked{T}"/> for a read that completes later.</summary>
    public static async Task<T> CheckedAsync<T>(Func<Task<T>> read, string field, Func<string, string>? word = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw new RequestException(word is null ? ex.Reason() : word(ex.Reason()), field);
        }
    }

    /// <summary><see cref="Checked{T}"/> for a check that returns nothing.</summary>
    public static void Checked(Action check, string field, Func<string, string>? word = null)
    {
        ArgumentNullException.ThrowIfNull(check);
        Checked(() =>
        {
            check();
            return true;
        }, field, word);
    }

    /// <summary>The request field a flag sets: <c>--slippage-bps</c> is <c>slippage_bps</c>.</summary>
    public static string Field(string flag) => flag.TrimStart('-').Replace('-', '_');

    /// <summary>A session date written YYYY-MM-DD.</summary>
    public static DateOnly Date(string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d;
        }

        throw new RequestException($"{name} '{value}' is not a date; use YYYY-MM-DD, e.g. {name} 2010-01-04.", Field(name));
    }

    /// <summary>A session date, or null when none is given.</summary>
    public static DateOnly? OptionalDate(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? null : Date(value, name);

    /// <summary>Throws when the start date is after the end date.</summary>
    public static void DateRange(DateOnly? start, DateOnly? end, string startName = "--start", string endName = "--end")
    {
        if (start is { } s && end is { } e && s > e)
        {
            throw new RequestException($"{startName} {s:yyyy-MM-dd} is after {endName} {e:yyyy-MM-dd}; pick a start before the end.", Field(startName));
        }
    }

    /// <summary>A ticker.</summary>
    public static Symbol Symbol(string value, string name = "--symbol") =>
        Checked(() => new Symbol(value), Field(name), reason => $"{name}: {reason}");

    /// <summary>A bar interval: 1Min, 5Min, 15Min, 30Min, 1Hour or 1Day.</summary>
    public static Timeframe Interval(string value, string name = "--interval") =>
        Timeframe.TryParse(value, out var tf)
            ? tf
            : throw new RequestException($"{name} '{value}' is not an interval; use 1Min, 5Min, 15Min, 30Min, 1Hour or 1Day.", Field(name));

    /// <summary>A price adjustment: split or raw.</summary>
    public static PriceAdjustment Adjustment(string value, string name = "--adjustment") => value.Trim().ToLowerInvariant() switch
    {
        "split" => PriceAdjustment.Split,
        "raw" => PriceAdjustment.Raw,
        _ => throw new RequestException($"{name} '{value}' is not supported; use split or raw.", Field(name)),
    };

    /// <summary>The largest share of a bar's volume one order may take: null (no limit), or in (0, 1].</summary>
    public static decimal? VolumeShare(decimal? value, string name = "--max-volume-share") => value switch
    {
        null => null,
        > 0 and <= 1 => value,
        _ => throw new RequestException(
            $"{name} must be in (0, 1], e.g. 0.1 for 10% of each bar's volume (got {value.Value.ToString(CultureInfo.InvariantCulture)}).", Field(name)),
    };

    /// <summary>The guardrails: none, default, or a list of known rules; returned trimmed and lower-case.</summary>
    public static string Guardrails(string? value, string name = "--guardrails")
    {
        Checked(() => GuardrailCatalog.Parse(value), Field(name), reason => $"{name}: {reason}");
        return string.IsNullOrWhiteSpace(value) ? "none" : value.Trim().ToLowerInvariant();
    }

    /// <summary>Sizing on top of the strategy's base risk: regime scaling and/or fractional Kelly (the only risk agent);
    /// null when neither is asked for.</summary>
    public static SizingOptions? Sizing(bool regimeAware, string? riskAgent, decimal kellyFraction,
        string agentName = "--risk-agent", string fractionName = "--risk-agent-fraction")
    {
        decimal? kelly = null;
        if (!string.IsNullOrWhiteSpace(riskAgent))
        {
            if (riskAgent.Trim().ToLowerInvariant() is not ("fractional_kelly" or "kelly"))
            {
                throw new RequestException($"{agentName} '{riskAgent}' is not known; use fractional_kelly.", Field(agentName));
            }

            if (kellyFraction is <= 0 or > 1)
            {
                throw new RequestException(
                    $"{fractionName} must be in (0, 1] (got {kellyFraction.ToString(CultureInfo.InvariantCulture)}).", Field(fractionName));
            }

            kelly = kellyFraction;
        }

        return regimeAware || kelly is not null ? new SizingOptions(RegimeAware: regimeAware, KellyFraction: kelly) : null;
    }

    /// <summary>An annual risk-free rate given as a fraction (<c>0.04</c>) or a percent (<c>4%</c>), in (−1, 1]; 0 when
    /// <paramref name="value"/> is null.</summary>
    /// <remarks>Above 100% a year is rejected as a slip rather than a rate: <c>4</c> almost always means 4%, not 400%.</remarks>
    public static double RiskFreeRate(string? value, string name = "--risk-free-rate")
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
            throw new RequestException(
                $"{name} '{value}' is not a number; give the annual rate as a fraction or a percent, e.g. {name} 0.04 or {name} 4%.", Field(name));
        }

        var rate = percent ? number / 100 : number;
        return rate is > -1 and <= 1
            ? rate
            : throw new RequestException(
                $"{name} '{value}' is {BacktestReportWriter.FormatPercent(rate)} a year; it must be above -100% and at most 100%, e.g. {name} 0.04 or {name} 4% for 4%.",
                Field(name));
    }

    /// <summary>Checks that <paramref name="strategy"/> is known (else fails naming <paramref name="strategyName"/>) and
    /// that <paramref name="parameters"/> build it (else fails naming <paramref name="parametersName"/>); returns the
    /// strategy's name as given, trimmed.</summary>
    public static string Strategy(string? strategy, IReadOnlyDictionary<string, string> parameters, bool regimeHints,
        string strategyName = "--strategy", string parametersName = "--param")
    {
        Checked(() => StrategyCatalog.Describe(strategy ?? string.Empty), Field(strategyName), reason => $"{strategyName}: {reason}");
        Checked(() => StrategyCatalog.Create(strategy!, parameters, regimeHints), Field(parametersName), reason => $"{parametersName}: {reason}");

        return strategy!.Trim();
    }

    /// <summary>Replay pacing: <c>max</c> (no delay, null) or a positive factor (60 plays one minute per second); the
    /// delay after each bar time.</summary>
    public static TimeSpan? Speed(string value, Timeframe interval, string name = "--speed")
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Trim().Equals("max", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var factor) && factor > 0
            ? TimeSpan.FromTicks((long)(interval.Duration.Ticks / factor))
            : throw new RequestException($"{name} '{value}' is not 'max' or a positive factor (60 = one minute per second).", Field(name));
    }
}
