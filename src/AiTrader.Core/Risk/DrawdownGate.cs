namespace AiTrader.Core.Risk;

/// <summary>Halts new entries when equity falls the maximum drawdown below its high-water mark, until a cool-off and a reset.</summary>
/// <remarks>
/// The high-water mark is the highest equity observed (from <see cref="OnEquity"/> and every order check). At a drawdown
/// of (HWM − equity) / HWM ≥ the maximum, the gate halts openings; exits stay allowed. The halt lasts at least the
/// cool-off and then waits for <see cref="ManualReset"/>, because a deep drawdown means the strategy or the market
/// changed and a person should look before trading resumes. With <see cref="AutoResumeAfterCoolOff"/> the gate resets
/// itself at the first check after the cool-off. A reset re-bases the high-water mark to the latest equity: the next halt
/// needs a fresh maximum drawdown from there (keeping the old mark would re-trip at once while still under water).
/// </remarks>
public sealed class DrawdownGate : IStatefulGuardrail
{
    private readonly Lock _lock = new();
    private decimal? _highWaterMark;
    private decimal _lastEquity;
    private Halt? _halt;

    /// <param name="maxDrawdownFraction">Drawdown from the high-water mark that halts entries, in (0, 1).</param>
    /// <param name="coolOff">Least time the halt lasts; zero allows an immediate reset.</param>
    /// <param name="autoResumeAfterCoolOff">Resume without a manual reset once the cool-off has passed.</param>
    public DrawdownGate(decimal maxDrawdownFraction, TimeSpan coolOff, bool autoResumeAfterCoolOff = false)
    {
        if (maxDrawdownFraction <= 0 || maxDrawdownFraction >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDrawdownFraction), maxDrawdownFraction, "The maximum drawdown must be in (0, 1).");
        }

        if (coolOff < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(coolOff), coolOff, "The cool-off must not be negative.");
        }

        MaxDrawdownFraction = maxDrawdownFraction;
        CoolOff = coolOff;
        AutoResumeAfterCoolOff = autoResumeAfterCoolOff;
    }

    public decimal MaxDrawdownFraction { get; }

    public TimeSpan CoolOff { get; }

    public bool AutoResumeAfterCoolOff { get; }

    public string Rule => GuardrailRules.MaxDrawdown;

    /// <summary>The highest equity seen since the start or the last reset; null before any equity was seen.</summary>
    public decimal? HighWaterMark
    {
        get
        {
            lock (_lock)
            {
                return _highWaterMark;
            }
        }
    }

    public bool IsHalted
    {
        get
        {
            lock (_lock)
            {
                return _halt is not null;
            }
        }
    }

    /// <summary>When the halt began, or null when not halted.</summary>
    public DateTime? HaltedAtUtc
    {
        get
        {
            lock (_lock)
            {
                return _halt?.AtUtc;
            }
        }
    }

    /// <summary>The earliest instant a reset is accepted, or null when not halted.</summary>
    public DateTime? CoolOffEndsUtc
    {
        get
        {
            lock (_lock)
            {
                return _halt is { } h ? h.AtUtc + CoolOff : null;
            }
        }
    }

    public void OnEquity(DateTime utc, decimal equity)
    {
        lock (_lock)
        {
            Observe(utc, equity);
        }
    }

    /// <summary>Lifts the halt and re-bases the high-water mark to the latest equity. Returns false, staying halted, during
    /// the cool-off; true otherwise (also when not halted, where it changes nothing).</summary>
    public bool ManualReset(DateTime utcNow)
    {
        lock (_lock)
        {
            if (_halt is not { } halt)
            {
                return true;
            }

            if (utcNow < halt.AtUtc + CoolOff)
            {
                return false;
            }

            _halt = null;
            _highWaterMark = _lastEquity;
            return true;
        }
    }

    public GuardrailDecision Check(OrderCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        lock (_lock)
        {
            if (_halt is { } ended && AutoResumeAfterCoolOff && check.UtcNow >= ended.AtUtc + CoolOff)
            {
                // Re-base to the equity this check carries: it is the freshest mark there is.
                _halt = null;
                _highWaterMark = check.Account.Equity;
            }

            Observe(check.UtcNow, check.Account.Equity);
            if (_halt is not { } halt || !check.IsOpening)
            {
                return GuardrailDecision.Allow(Rule);
            }

            var coolOffEnds = halt.AtUtc + CoolOff;
            var resume = check.UtcNow < coolOffEnds
                ? $"cool-off until {Format.Utc(coolOffEnds)}, then " + (AutoResumeAfterCoolOff ? "automatic resume" : "a manual reset")
                : $"cool-off ended {Format.Utc(coolOffEnds)}; waiting for a manual reset";
            return GuardrailDecision.Block(
                Rule,
                $"equity {Format.Money(halt.Equity)} was {Format.Percent(halt.Drawdown)} below the high-water mark {Format.Money(halt.HighWaterMark)} " +
                $"at {Format.Utc(halt.AtUtc)} (limit {Format.Percent(MaxDrawdownFraction)}); new entries halted, {resume} " +
                $"(equity now {Format.Money(check.Account.Equity)})");
        }
    }

    private void Observe(DateTime utc, decimal equity)
    {
        _lastEquity = equity;
        if (_highWaterMark is null || equity > _highWaterMark)
        {
            _highWaterMark = equity;
        }

        var hwm = _highWaterMark.Value;
        if (_halt is null && hwm > 0)
        {
            var drawdown = (hwm - equity) / hwm;
            if (drawdown >= MaxDrawdownFraction)
            {
                _halt = new Halt(utc, hwm, equity, drawdown);
            }
        }
    }

    public string ExportState()
    {
        lock (_lock)
        {
            return System.Text.Json.JsonSerializer.Serialize(new State(_highWaterMark, _lastEquity, _halt));
        }
    }

    public void RestoreState(string json)
    {
        var state = System.Text.Json.JsonSerializer.Deserialize<State>(json) ?? throw new FormatException("The max_drawdown state is empty.");
        lock (_lock)
        {
            (_highWaterMark, _lastEquity, _halt) = (state.HighWaterMark, state.LastEquity, state.Halt);
        }
    }

    private sealed record Halt(DateTime AtUtc, decimal HighWaterMark, decimal Equity, decimal Drawdown);

    private sealed record State(decimal? HighWaterMark, decimal LastEquity, Halt? Halt);
}
