using AiTrader.Core.Execution;
using AiTrader.Core.Risk;
using AiTrader.Core.Risk.Sizing;

namespace AiTrader.Core.Backtesting.Portfolios;

/// <summary>Settings of a portfolio backtest: the shared account and costs, plus the exposure limits entries must fit.</summary>
/// <param name="Account">Initial capital, slippage, commissions and shorting, applied to every symbol.</param>
/// <param name="MaxSymbolWeight">Largest |position value| of one symbol as a fraction of the account's equity
/// (0.25 = 25%); null for no limit.</param>
/// <param name="MaxGrossExposure">Largest Σ |position value| over all symbols as a fraction of equity (1.0 = fully
/// invested); null for no limit.</param>
/// <param name="Sizing">Fractional Kelly and regime scaling on top of each strategy's fixed risk; null for fixed risk only.</param>
/// <param name="Guardrails">Builds the guardrails the order router checks (PDT, drawdown, ...); null for none.</param>
public sealed record PortfolioBacktestOptions(
    ExchangeOptions Account,
    decimal? MaxSymbolWeight = null,
    decimal? MaxGrossExposure = null,
    SizingOptions? Sizing = null,
    Func<GuardrailSet>? Guardrails = null)
{
    /// <summary>The order router's settings for this run.</summary>
    public RoutingOptions Routing => new(Sizing, Guardrails, MaxSymbolWeight, MaxGrossExposure);

    /// <summary>Default costs, $100,000 and no exposure limits.</summary>
    public PortfolioBacktestOptions()
        : this(new ExchangeOptions())
    {
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public PortfolioBacktestOptions Validate()
    {
        ArgumentNullException.ThrowIfNull(Account);
        Account.Validate();
        if (MaxSymbolWeight is { } weight && weight <= 0)
        {
            throw new ArgumentException($"MaxSymbolWeight must be positive; got {weight}.", nameof(MaxSymbolWeight));
        }

        if (MaxGrossExposure is { } gross && gross <= 0)
        {
            throw new ArgumentException($"MaxGrossExposure must be positive; got {gross}.", nameof(MaxGrossExposure));
        }

        return this;
    }
}
