using AiTrader.Core.Domain;
using AiTrader.Core.Risk;
using AiTrader.Core.Sessions;
using static AiTrader.Core.Tests.Risk.RiskTestKit;

namespace AiTrader.Core.Tests.Risk;

public class GuardrailSetTests
{
    private static readonly DateTime T0 = At(2024, 3, 4, 10);

    private static (GuardrailSet Set, KillSwitch Kill, List<GuardrailEvaluation> Journal) FullSet(int maxOrdersPerMinute = 10)
    {
        var kill = new KillSwitch();
        var journal = new List<GuardrailEvaluation>();
        // Deliberately given out of order: the set must sort them.
        IGuardrail[] rules =
        [
            new OrderRateLimit(maxOrdersPerMinute),
            new ExposureCap(0.25m, 0.80m),
            new PatternDayTraderRule(NyseCalendar.Instance),
            new DailyLossLimit(0.02m),
            new DrawdownGate(0.10m, TimeSpan.FromDays(1)),
            kill,
        ];
        return (new GuardrailSet(rules, journal.Add), kill, journal);
    }

    [Fact]
    public void Runs_in_the_fixed_order_with_the_kill_switch_first()
    {
        var (set, _, _) = FullSet();
        Assert.Equal(
            ["kill_switch", "max_drawdown", "daily_loss", "pdt", "exposure", "rate"],
            set.Guardrails.Select(g => g.Rule));
        Assert.Equal(GuardrailRules.Order, set.Guardrails.Select(g => g.Rule));
    }

    [Fact]
    public void Reports_the_first_block_and_journals_every_decision()
    {
        var (set, kill, journal) = FullSet();
        kill.Engage(T0, "ops", "test");
        // 300 × $100 = 30% of $100,000: the exposure cap blocks as well.
        var check = new OrderCheck("AAPL", OrderSide.Buy, 300, 100m, true, Account(100_000m), T0.AddMinutes(1));

        var evaluation = set.Evaluate(check);

        Assert.False(evaluation.IsAllowed);
        Assert.Equal("kill_switch", evaluation.FirstBlock!.Rule);
        Assert.Equal(["kill_switch", "exposure"], evaluation.Blocks.Select(b => b.Rule));
        Assert.Equal(6, evaluation.Decisions.Count);
        Assert.Same(evaluation, Assert.Single(journal));
    }

    [Fact]
    public void Every_block_reason_starts_with_its_rule_name_and_a_colon()
    {
        var (set, kill, _) = FullSet(maxOrdersPerMinute: 1);
        set.OnEquity(T0.AddHours(-1), 30_000m); // session start and high-water mark
        set.Evaluate(Opening("SPY", T0, 30_000m)); // uses the single rate slot
        for (var i = 0; i < 4; i++)
        {
            // Four round trips today: the PDT rule counts them from fills.
            set.OnFill(Buy("XOM", 1, T0.AddMinutes(2 * i)));
            set.OnFill(Sell("XOM", 1, T0.AddMinutes((2 * i) + 1)));
        }

        kill.Engage(T0, "ops", "test");
        // Equity $20,000: 33% down (drawdown, daily loss, PDT under $25k); 100 × $100 = 50% of equity (exposure).
        var evaluation = set.Evaluate(Opening("AAPL", T0.AddSeconds(30), 20_000m, quantity: 100m));

        Assert.Equal(GuardrailRules.Order, evaluation.Blocks.Select(b => b.Rule));
        foreach (var block in evaluation.Blocks)
        {
            Assert.StartsWith(block.Rule + ": ", block.Reason);
        }
    }

    [Fact]
    public void Allowed_orders_take_a_rate_slot_and_blocked_ones_do_not()
    {
        var (set, kill, _) = FullSet(maxOrdersPerMinute: 1);
        kill.Engage(T0, "ops", "test");
        Assert.False(set.Evaluate(Opening("AAPL", T0, 100_000m)).IsAllowed);
        kill.Release();

        Assert.True(set.Evaluate(Opening("AAPL", T0.AddSeconds(1), 100_000m)).IsAllowed);
        var third = set.Evaluate(Opening("AAPL", T0.AddSeconds(2), 100_000m));
        Assert.Equal("rate", third.FirstBlock!.Rule);
    }

    [Fact]
    public void Forwards_equity_marks_to_the_rules_that_need_history()
    {
        var (set, _, _) = FullSet();
        set.OnEquity(T0, 100_000m);
        set.OnEquity(T0.AddMinutes(1), 90_000m);

        var evaluation = set.Evaluate(Closing("AAPL", T0.AddMinutes(2), 90_000m));
        Assert.True(evaluation.IsAllowed); // exits pass the halts

        var entry = set.Evaluate(Opening("AAPL", T0.AddMinutes(3), 90_000m));
        Assert.Equal("max_drawdown", entry.FirstBlock!.Rule);
        Assert.Equal(["max_drawdown", "daily_loss"], entry.Blocks.Select(b => b.Rule));
    }

    [Fact]
    public void Two_guardrails_with_the_same_rule_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new GuardrailSet([new KillSwitch(), new KillSwitch()]));
    }

    [Fact]
    public void Snapshot_of_a_backtest_portfolio_feeds_the_same_checks()
    {
        var portfolio = new Portfolio(100_000m);
        portfolio.Apply(new Fill("o1", "AAPL", OrderSide.Buy, 200, 100m, 0m, T0));
        var account = AccountSnapshot.From(portfolio, _ => 110m);

        Assert.Equal(102_000m, account.Equity);
        Assert.Equal(new PositionSnapshot(200m, 110m), account.PositionOf("AAPL"));
        var check = new OrderCheck("AAPL", OrderSide.Buy, 100, 110m, true, account, T0.AddMinutes(1));
        // 300 × $110 = $33,000 = 32.35% of $102,000 > 25%.
        Assert.Equal("exposure", new ExposureCap(0.25m, 1m).Check(check).Rule);
        Assert.True(new ExposureCap(0.25m, 1m).Check(check).IsBlocked);
    }
}
