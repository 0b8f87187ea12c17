using AiTrader.Cli.Commands;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.Core.Tests.Application;

/// <summary>The JSON body of a backtest job: its defaults are the CLI's, every bad field is named, and it reads back
/// what it writes.</summary>
public sealed class BacktestSpecTests
{
    [Fact]
    public void The_defaults_build_the_request_the_cli_builds_for_backtest_symbol_spy()
    {
        var spec = BacktestSpec.FromJson("""{"symbol": "SPY"}""");
        var fromSpec = spec.ToRequest(null);
        var fromCli = BacktestCommand.RequestFor("--symbol", "SPY");

        Assert.Equal(fromCli.Symbol, fromSpec.Symbol);
        Assert.Equal(fromCli.Start, fromSpec.Start);
        Assert.Equal(fromCli.End, fromSpec.End);
        Assert.Equal(fromCli.Strategy, fromSpec.Strategy);
        Assert.Equal(fromCli.Interval, fromSpec.Interval);
        Assert.Equal(fromCli.Adjustment, fromSpec.Adjustment);
        Assert.Equal(fromCli.Parameters, fromSpec.Parameters);
        Assert.Equal(fromCli.Options, fromSpec.Options);
        Assert.Equal(fromCli.OutDir, fromSpec.OutDir);
        Assert.Equal(fromCli.Sizing, fromSpec.Sizing);
        Assert.Equal(fromCli.UseDal, fromSpec.UseDal);
        Assert.Equal(fromCli.DalVendor, fromSpec.DalVendor);
        Assert.Equal(fromCli.DebugEntries, fromSpec.DebugEntries);
        Assert.Equal(fromCli.DebugSignals, fromSpec.DebugSignals);
        Assert.Equal(fromCli.Metrics, fromSpec.Metrics);
        Assert.Equal(fromCli.Guardrails, fromSpec.Guardrails);
    }

    [Fact]
    public void Every_field_has_the_cli_default()
    {
        var spec = new BacktestSpec { Symbol = "SPY" };
        Assert.Equal("breakout", spec.Strategy);
        Assert.Null(spec.Start);
        Assert.Null(spec.End);
        Assert.Equal("1Day", spec.Interval);
        Assert.Equal("split", spec.Adjustment);
        Assert.Empty(spec.Parameters!);
        Assert.Equal(100_000m, spec.Capital);
        Assert.Equal(5m, spec.SlippageBps);
        Assert.Equal(0.005m, spec.CommissionPerShare);
        Assert.Equal(1.00m, spec.MinCommission);
        Assert.False(spec.AllowShort);
        Assert.False(spec.ExtendedHours);
        Assert.Null(spec.MaxVolumeShare);
        Assert.Equal("none", spec.Guardrails);
        Assert.False(spec.RegimeAwareSizing);
        Assert.Null(spec.RiskAgent);
        Assert.Equal(0.5m, spec.RiskAgentFraction);
        Assert.Equal(0.0, spec.RiskFreeRate);
    }

    [Theory]
    [InlineData("""{"strategy": "breakout"}""", "symbol", "symbol is required")]
    [InlineData("""{"symbol": "SP Y"}""", "symbol", "symbol: ")]
    [InlineData("""{"symbol": "SPY", "strategy": "nope"}""", "strategy", "strategy: Unknown strategy 'nope'")]
    [InlineData("""{"symbol": "SPY", "start": "2010-13-01"}""", "start", "start '2010-13-01' is not a date")]
    [InlineData("""{"symbol": "SPY", "end": "yesterday"}""", "end", "end 'yesterday' is not a date")]
    [InlineData("""{"symbol": "SPY", "start": "2012-01-01", "end": "2011-01-01"}""", "start", "start 2012-01-01 is after end 2011-01-01")]
    [InlineData("""{"symbol": "SPY", "interval": "2Day"}""", "interval", "interval '2Day' is not an interval")]
    [InlineData("""{"symbol": "SPY", "adjustment": "dividend"}""", "adjustment", "adjustment 'dividend' is not supported")]
    [InlineData("""{"symbol": "SPY", "parameters": {"lookbak": "55"}}""", "parameters", "parameters: ")]
    [InlineData("""{"symbol": "SPY", "parameters": {"lookback": "-3"}}""", "parameters", "parameters: ")]
    [InlineData("""{"symbol": "SPY", "capital": -5}""", "capital", "capital must be greater than 0 (got -5).")]
    [InlineData("""{"symbol": "SPY", "capital": 1e13}""", "capital", "capital must be at most")]
    [InlineData("""{"symbol": "SPY", "slippage_bps": -1}""", "slippage_bps", "slippage_bps must not be negative (got -1).")]
    [InlineData("""{"symbol": "SPY", "slippage_bps": 10000}""", "slippage_bps", "slippage_bps must be below 10000")]
    [InlineData("""{"symbol": "SPY", "commission_per_share": -0.1}""", "commission_per_share", "commission_per_share must not be negative")]
    [InlineData("""{"symbol": "SPY", "min_commission": -1}""", "min_commission", "min_commission must not be negative")]
    [InlineData("""{"symbol": "SPY", "max_volume_share": 1.5}""", "max_volume_share", "max_volume_share must be in (0, 1]")]
    [InlineData("""{"symbol": "SPY", "guardrails": "pdt,nonsense"}""", "guardrails", "guardrails: ")]
    [InlineData("""{"symbol": "SPY", "risk_agent": "martingale"}""", "risk_agent", "risk_agent 'martingale' is not known")]
    [InlineData("""{"symbol": "SPY", "risk_agent": "fractional_kelly", "risk_agent_fraction": 2}""", "risk_agent_fraction", "risk_agent_fraction must be in (0, 1]")]
    [InlineData("""{"symbol": "SPY", "risk_free_rate": 4}""", "risk_free_rate", "risk_free_rate '4' is 400")]
    public void A_bad_field_is_refused_naming_it(string json, string field, string message)
    {
        var error = Assert.Throws<RequestException>(() => BacktestSpec.FromJson(json).ToRequest(null));
        Assert.Equal(field, error.Field);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("""{"symbol": "SPY", "capital": "lots"}""", "capital")]
    [InlineData("""{"symbol": "SPY", "allow_short": "yes"}""", "allow_short")]
    [InlineData("""{"symbol": "SPY", "parameters": ["lookback=5"]}""", "parameters")]
    [InlineData("""{"symbol": "SPY", "parameters": {"lookback": {"x": 1}}}""", "parameters")]
    [InlineData("""{"symbol": "SPY", "capitol": 5}""", "capitol")]
    [InlineData("""{"symbol": "SPY",""", null)]
    [InlineData("""[1, 2]""", null)]
    [InlineData("""not json""", null)]
    [InlineData("", null)]
    [InlineData("null", null)]
    public void Malformed_json_unknown_fields_and_wrong_types_are_refused(string json, string? field)
    {
        var error = Assert.Throws<RequestException>(() => BacktestSpec.FromJson(json));
        Assert.Equal(field, error.Field);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_spec_reads_back_what_it_writes_and_parameters_may_be_numbers()
    {
        var spec = BacktestSpec.FromJson("""
            {"symbol": "AAPL", "strategy": "momentum", "start": "2015-01-02", "end": "2016-12-30", "interval": "1Day",
             "adjustment": "raw", "parameters": {"atr_period": 30}, "capital": 25000.50, "slippage_bps": 2.5,
             "commission_per_share": 0, "min_commission": 0, "allow_short": true, "extended_hours": true,
             "max_volume_share": 0.1, "guardrails": "pdt,max_drawdown", "regime_aware_sizing": true,
             "risk_agent": "fractional_kelly", "risk_agent_fraction": 0.25, "risk_free_rate": 0.04}
            """);
        Assert.Equal("30", spec.Parameters!["atr_period"]);
        var json = spec.ToJson();
        var again = BacktestSpec.FromJson(json);
        Assert.Equal(json, again.ToJson());
        Assert.Equal(25000.50m, again.Capital);
        Assert.Equal(0.04, again.RiskFreeRate);

        var request = again.ToRequest("out");
        Assert.Equal(new Symbol("AAPL"), request.Symbol);
        Assert.Equal(new DateOnly(2015, 1, 2), request.Start);
        Assert.Equal(Timeframe.OneDay, request.Interval);
        Assert.Equal(PriceAdjustment.Raw, request.Adjustment);
        Assert.Equal(25000.50m, request.Options.InitialCapital);
        Assert.True(request.Options.AllowShort);
        Assert.Equal(0.1m, request.Options.MaxVolumeShare);
        Assert.Equal(0.25m, request.Sizing!.KellyFraction);
        Assert.True(request.Sizing.RegimeAware);
        Assert.Equal("pdt,max_drawdown", request.Guardrails);
        Assert.Equal(0.04, request.Metrics!.RiskFreeRate);
        Assert.Equal("out", request.OutDir);

        // The defaults are written out too, so a stored job says exactly what ran.
        Assert.Contains("\"capital\":100000", new BacktestSpec { Symbol = "SPY" }.ToJson(), StringComparison.Ordinal);
    }
}
