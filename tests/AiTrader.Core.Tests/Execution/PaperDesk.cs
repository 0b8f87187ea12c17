using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Execution.Paper;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Tests.Execution;

/// <summary>The simulated exchange driven bar by bar through the trading loop (with strategies that never trade), and its
/// broker front: how a test places orders by hand and sees what the one set of fill rules does with them.</summary>
internal sealed class PaperDesk : IExecutionJournal
{
    private readonly TradingLoop _loop;
    private readonly Dictionary<Symbol, int> _legs = [];
    private readonly ManualClock _clock = new();

    public PaperDesk(ExchangeOptions? options = null, params Symbol[] symbols)
    {
        var account = options ?? new ExchangeOptions(Calendar: NyseCalendar.Instance);
        Exchange = new SimulatedExchange(account);
        Broker = new PaperBroker(Exchange, NyseCalendar.Instance, _clock);
        Router = new OrderRouter(Exchange, account);
        if (symbols.Length == 0)
        {
            symbols = [new Symbol("SPY")];
        }

        for (var i = 0; i < symbols.Length; i++)
        {
            _legs[symbols[i]] = i;
        }

        _loop = new TradingLoop(Exchange, Router, account, new LoopOptions(Timeframe.OneMinute),
            symbols.Select(s => (s, (IStrategy)new Idle())).ToArray(), journal: this);
    }

    public SimulatedExchange Exchange { get; }

    public PaperBroker Broker { get; }

    public OrderRouter Router { get; }

    public List<ExecutionEvent> Events { get; } = [];

    /// <summary>One bar of <paramref name="symbol"/>; returns the events it caused.</summary>
    public IReadOnlyList<ExecutionEvent> OnBar(Symbol symbol, Bar bar)
    {
        var before = Events.Count;
        _clock.Now = bar.Timestamp;
        _loop.StepOne(_legs[symbol], in bar);
        return Events.Skip(before).ToList();
    }

    /// <summary>Bars of several symbols at one bar time, in watchlist order.</summary>
    public IReadOnlyList<ExecutionEvent> OnBars(params (Symbol Symbol, Bar Bar)[] bars)
    {
        var before = Events.Count;
        _clock.Now = bars[0].Bar.Timestamp;
        var batch = bars.Select(b => new LegBar(_legs[b.Symbol], b.Bar)).OrderBy(b => b.Leg).ToArray();
        _loop.Step(batch);
        return Events.Skip(before).ToList();
    }

    public void EndSession() => _loop.EndSession();

    public static Bar B(string utc, decimal open, decimal high, decimal low, decimal close, decimal volume = 1000) =>
        new(DateTime.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            open, high, low, close, volume);

    void IExecutionJournal.Decision(DateTime at, Symbol symbol, OrderIntent intent, decimal price)
    {
    }

    void IExecutionJournal.Rejected(Rejection rejection, Core.Risk.GuardrailEvaluation? evaluation, string? clientOrderId)
    {
    }

    void IExecutionJournal.Event(ExecutionEvent executionEvent) => Events.Add(executionEvent);

    private sealed class Idle : IStrategy
    {
        public string Name => "idle";

        public void Reset()
        {
        }

        public IReadOnlyList<OrderIntent> OnBar(StrategyContext context) => [];
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTime Now { get; set; } = DateTime.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => new(DateTime.SpecifyKind(Now, DateTimeKind.Utc));
    }
}
