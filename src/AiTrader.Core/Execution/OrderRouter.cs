using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AiTrader.Core.Domain;
using AiTrader.Core.Risk;
using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Execution;

/// <summary>How the order router treats intents: sizing, exposure limits, guardrails and the run whose order ids it makes.</summary>
/// <param name="Sizing">Fractional Kelly and regime scaling on top of each strategy's fixed risk; null for fixed risk only.</param>
/// <param name="Guardrails">Builds the guardrails checked before anything reaches the venue (each router, one run, gets
/// its own, as they keep state); null (or an empty set) checks nothing, as sweeps want.</param>
/// <param name="MaxSymbolWeight">Entries cut so one symbol's |value| stays within this fraction of equity; null for none.</param>
/// <param name="MaxGrossExposure">Entries cut so Σ |value| stays within this fraction of equity; null for none.</param>
/// <param name="RunId">Names the client order ids (idempotent resubmission after a restart) and the journal's event keys;
/// null in backtests, which need neither.</param>
public sealed record RoutingOptions(
    SizingOptions? Sizing = null,
    Func<GuardrailSet>? Guardrails = null,
    decimal? MaxSymbolWeight = null,
    decimal? MaxGrossExposure = null,
    string? RunId = null);

/// <summary>Where the router's and the venue's events are journaled (the trading session's journal outbox); backtests pass none.</summary>
public interface IExecutionJournal
{
    /// <summary>A strategy's intent at <paramref name="at"/>, before anything is done with it.</summary>
    void Decision(DateTime at, Symbol symbol, OrderIntent intent, decimal price);

    /// <summary>An intent the router did not send (invalid, sized to nothing, or blocked by a guardrail).</summary>
    void Rejected(Rejection rejection, GuardrailEvaluation? evaluation, string? clientOrderId);

    /// <summary>A venue event: accepted, fill, cancel, reject, stop move.</summary>
    void Event(ExecutionEvent executionEvent);
}

/// <summary>The one path from a strategy's intents to the venue: validation against the position, the same-side policy,
/// sizing, exposure limits, guardrails, then the venue, with every step journaled. Backtests, paper and live trading all
/// route through it.</summary>
/// <remarks>
/// Per decision, intents are taken in order against the position the earlier ones will leave:
/// <list type="bullet">
/// <item>Entry: refused when it is a short the account does not allow, or against an open position with no exit
/// before it. An unsized entry is sized by <see cref="EntrySizing"/> (cash to spend: the cash, plus the position an exit
/// earlier in the decision closes, at the decision close). Then exposure limits cut it, guardrails may block it, and a
/// same-side entry still working is replaced (cancelled, reason <see cref="CancelReasons.Replaced"/>). Its protective
/// stop goes with it and rests from the moment it fills.</item>
/// <item>Exit: the whole position at market; cancels what is left of entries on the other side. Not sent twice while one
/// is working.</item>
/// <item>Stop move: amends the resting stop (a broker that replaces orders uses its replace call).</item>
/// </list>
/// Every intent is journaled as a decision; every refusal as a rejection with its reason and rule.
/// </remarks>
public sealed class OrderRouter
{
    private readonly IOrderVenue _venue;
    private readonly SimulatedExchange? _exchange;
    private readonly ExchangeOptions _account;
    private readonly FillModel _fillModel;
    private readonly RoutingOptions _options;
    private readonly IExecutionJournal? _journal;
    private readonly Dictionary<Symbol, decimal> _pendingEntryValue = [];
    private readonly List<Rejection> _rejections = [];
    private readonly List<ExposureLimitEvent> _limitEvents = [];
    private readonly SortedDictionary<string, int> _blocks = new(StringComparer.Ordinal);
    private readonly GuardrailSet? _guardrails;
    private readonly bool _hasLimits;

    public OrderRouter(IOrderVenue venue, ExchangeOptions account, RoutingOptions? options = null, IExecutionJournal? journal = null)
    {
        ArgumentNullException.ThrowIfNull(venue);
        ArgumentNullException.ThrowIfNull(account);
        _venue = venue;
        _exchange = venue as SimulatedExchange;
        _account = account;
        _fillModel = new FillModel(account);
        _options = options ?? new RoutingOptions();
        _journal = journal;
        Sizing = new EntrySizing(_options.Sizing);
        _guardrails = _options.Guardrails?.Invoke() is { Guardrails.Count: > 0 } set ? set : null;
        _hasLimits = _options.MaxSymbolWeight is not null || _options.MaxGrossExposure is not null;
        if (_options.MaxSymbolWeight is <= 0 || _options.MaxGrossExposure is <= 0)
        {
            throw new ArgumentException("Exposure limits must be positive fractions of equity.", nameof(options));
        }
    }

    public RoutingOptions Options => _options;

    /// <summary>The sizing stage, with each symbol's own trade statistics.</summary>
    public EntrySizing Sizing { get; }

    /// <summary>The guardrails checked before the venue; null when none are on.</summary>
    public GuardrailSet? Guardrails => _guardrails;

    /// <summary>Intents not sent, with why, in decision order.</summary>
    public IReadOnlyList<Rejection> Rejections => _rejections;

    /// <summary>Entries cut or dropped by the exposure limits.</summary>
    public IReadOnlyList<ExposureLimitEvent> LimitEvents => _limitEvents;

    /// <summary>Guardrail blocks by rule.</summary>
    public IReadOnlyDictionary<string, int> BlocksByRule => _blocks;

    /// <summary>The idempotency key of one decision: readable when it fits in 48 characters, else a hash of the same tuple.</summary>
    public static string ClientOrderId(string runId, Symbol symbol, DateTime decisionUtc, string kind)
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"{runId}-{symbol}-{decisionUtc:yyyyMMddHHmm}-{kind}");
        if (id.Length <= 48)
        {
            return id;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
        return "h-" + hash[..40];
    }

    /// <summary>The symbol's bar was matched at the venue: its entries sent earlier no longer count as pending value.</summary>
    public void OnMatched(Symbol symbol)
    {
        if (_hasLimits)
        {
            _pendingEntryValue.Remove(symbol);
        }
    }

    /// <summary>A round trip of <paramref name="symbol"/> closed: Kelly's statistics learn it.</summary>
    public void OnTradeClosed(TradeRecord trade)
    {
        ArgumentNullException.ThrowIfNull(trade);
        Sizing.OnTradeClosed(trade.Symbol, trade.Pnl);
    }

    /// <summary>Routes the intents <paramref name="symbol"/>'s strategy returned at <paramref name="decisionBar"/>'s close.</summary>
    public void Route(Symbol symbol, in Bar decisionBar, IReadOnlyList<OrderIntent> intents) =>
        Route(symbol, in decisionBar, intents, _venue.PositionOf(symbol));

    /// <summary>Routes the intents with the symbol's <paramref name="position"/> as the loop already knows it.</summary>
    public void Route(Symbol symbol, in Bar decisionBar, IReadOnlyList<OrderIntent> intents, decimal position)
    {
        // Most bars bring no intents, usually as an empty array; testing that type first spares an interface call.
        if (intents is OrderIntent[] { Length: 0 } || intents.Count == 0)
        {
            return;
        }

        var at = decisionBar.Timestamp;
        var close = decisionBar.Close;
        var projected = position;
        var exitFirst = false;
        for (var i = 0; i < intents.Count; i++)
        {
            var intent = intents[i];
            if (intent.Kind != IntentKind.Entry)
            {
                _journal?.Decision(at, symbol, intent, close);
            }

            var sign = intent.PositionSide == PositionSide.Long ? 1 : -1;
            switch (intent.Kind)
            {
                case IntentKind.Entry:
                    // Equity only for entries: a trailing stop on every bar of a trend needs none.
                    if (RouteEntry(symbol, decisionBar, intent, sign, projected, exitFirst ? position : 0m, _venue.Equity) is { } quantity)
                    {
                        projected += sign * quantity;
                    }

                    break;

                case IntentKind.Exit:
                    if (Math.Sign(projected) != sign)
                    {
                        Reject(at, symbol, intent, null, "router", "no position on that side to close");
                        break;
                    }

                    if (_guardrails is not null && !Allowed(symbol, intent.Side, Math.Abs(projected), close, opening: false, protective: false, at, "exit"))
                    {
                        break;
                    }

                    if (_venue.HasWorkingExit(symbol, intent.Side))
                    {
                        break; // an exit for the whole position is already working
                    }

                    _venue.CancelWorkingEntries(symbol, intent.Side.Opposite(), at, CancelReasons.Exit);
                    _venue.SubmitExit(new ExitTicket(symbol, intent.Side, Math.Abs(projected), at, intent.Reason, Id(symbol, at, "exit")));
                    projected = 0;
                    exitFirst = true;
                    break;

                case IntentKind.MoveStop:
                    if (Math.Sign(projected) != sign || intent.StopPrice is not { } level)
                    {
                        Reject(at, symbol, intent, null, "router", "no position on that side to protect");
                        break;
                    }

                    if (_guardrails is not null && !Allowed(symbol, intent.Side, Math.Abs(projected), level, opening: false, protective: true, at, "trail"))
                    {
                        break;
                    }

                    var move = new StopTicket(symbol, intent.Side, level, at, intent.Reason, Id(symbol, at, "trail"));
                    if (_exchange is not null)
                    {
                        // The common trail at the simulated exchange: a direct call, no interface dispatch.
                        _exchange.MoveStop(in move);
                    }
                    else
                    {
                        _venue.MoveStop(in move);
                    }

                    break;
            }
        }
    }

    /// <summary>Sizes, limits, checks and sends one entry; returns the quantity sent, or null when nothing was.</summary>
    private decimal? RouteEntry(Symbol symbol, in Bar decisionBar, OrderIntent intent, int sign, decimal projected,
        decimal closedByExit, decimal equity)
    {
        var at = decisionBar.Timestamp;
        var close = decisionBar.Close;
        var journaled = false;
        void Decided(OrderIntent decided)
        {
            // An entry is journaled once, with its size and how it was sized when it got that far.
            if (!journaled)
            {
                _journal?.Decision(at, symbol, decided, close);
                journaled = true;
            }
        }

        void Refuse(decimal? quantity, string rule, string reason)
        {
            Decided(intent);
            Reject(at, symbol, intent, quantity, rule, reason);
        }

        if (intent.PositionSide == PositionSide.Short && !_account.AllowShort)
        {
            Refuse(intent.Quantity, "router", "shorts are not allowed on this account (allow them with --allow-short)");
            return null;
        }

        if (Math.Sign(projected) == -sign)
        {
            Refuse(intent.Quantity, "router", "an entry against the open position needs an exit before it");
            return null;
        }

        if (intent.Type == OrderType.Limit && intent.LimitPrice is not > 0)
        {
            Refuse(intent.Quantity, "router", "a limit entry needs a positive limit price");
            return null;
        }

        var reason = intent.Reason;
        decimal quantity;
        if (intent.Quantity is { } given)
        {
            quantity = given;
        }
        else if (intent.StopPrice is not { } stop)
        {
            Refuse(null, "router", "an unsized entry needs a protective stop to size against");
            return null;
        }
        else
        {
            // The cash an entry may spend includes what an exit earlier in this decision frees at the close.
            var available = _venue.Cash + closedByExit * close;
            var sized = Sizing.Size(symbol, intent.Sizing ?? new SizingHints(0.01m), equity, available, close, stop);
            if (sized.Explanation is { } explanation)
            {
                reason = $"{reason}; size: {explanation}";
            }

            if (sized.Quantity <= 0)
            {
                Refuse(0m, "sizing", sized.Explanation is null ? "sized to 0 shares" : $"sized to 0 shares ({sized.Explanation})");
                return null;
            }

            quantity = sized.Quantity;
        }

        if (quantity <= 0)
        {
            Refuse(quantity, "router", "an entry needs a positive quantity");
            return null;
        }

        if (_hasLimits)
        {
            var price = _fillModel.SlippedPrice(intent.Side, close);
            var (symbolValue, grossValue) = HeldValues(symbol, closedByExit != 0);
            var fit = ExposureLimits.Fit(_options.MaxSymbolWeight, _options.MaxGrossExposure, equity, symbolValue, grossValue, price, quantity);
            if (fit.BindingLimit is { } limit)
            {
                _limitEvents.Add(new ExposureLimitEvent(at, symbol, quantity, fit.Quantity, limit));
            }

            if (fit.Quantity <= 0)
            {
                Refuse(quantity, fit.BindingLimit ?? "limits", $"no shares fit {fit.BindingLimit}");
                return null;
            }

            if (fit.Quantity < quantity)
            {
                // The reason keeps the sizer's own numbers (e.g. Kelly's share count), so it says what cut them.
                reason = $"{reason}; cut to {fit.Quantity.ToString(CultureInfo.InvariantCulture)} shares by {fit.BindingLimit}";
                quantity = fit.Quantity;
            }

            _pendingEntryValue[symbol] = _pendingEntryValue.GetValueOrDefault(symbol) + quantity * price;
        }

        Decided(intent with { Quantity = quantity, Reason = reason });
        if (_guardrails is not null && !Allowed(symbol, intent.Side, quantity, close, opening: true, protective: false, at, "entry"))
        {
            return null;
        }

        if (_venue.HasWorkingEntry(symbol, intent.Side))
        {
            _venue.CancelWorkingEntries(symbol, intent.Side, at, CancelReasons.Replaced);
        }

        _venue.SubmitEntry(new EntryTicket(symbol, intent.Side, quantity, intent.Type == OrderType.Limit ? intent.LimitPrice : null,
            intent.StopPrice, at, reason, Id(symbol, at, "entry"), Id(symbol, at, "stop")));
        return quantity;
    }

    /// <summary>The symbol's held value plus entries sent but not filled, and the same over the account; a position an exit
    /// earlier in this decision closes counts as gone.</summary>
    private (decimal Symbol, decimal Gross) HeldValues(Symbol symbol, bool exitFirst)
    {
        var snapshot = _venue.Snapshot();
        var gross = 0m;
        var own = 0m;
        foreach (var (s, p) in snapshot.Positions)
        {
            var value = Math.Abs(p.MarketValue);
            if (s == symbol)
            {
                own = exitFirst ? 0m : value;
                gross += own;
            }
            else
            {
                gross += value;
            }
        }

        foreach (var pending in _pendingEntryValue.Values)
        {
            gross += pending;
        }

        return (own + _pendingEntryValue.GetValueOrDefault(symbol), gross);
    }

    private bool Allowed(Symbol symbol, OrderSide side, decimal quantity, decimal price, bool opening, bool protective, DateTime at, string kind)
    {
        if (_guardrails is null || quantity <= 0 || price <= 0)
        {
            return true;
        }

        var check = new OrderCheck(symbol, side, quantity, price, opening, _venue.Snapshot(), DateTime.SpecifyKind(at, DateTimeKind.Utc))
        {
            IsProtective = protective,
        };
        var evaluation = _guardrails.Evaluate(check);
        if (evaluation.FirstBlock is not { } block)
        {
            return true;
        }

        _blocks[block.Rule] = _blocks.GetValueOrDefault(block.Rule) + 1;
        var rejection = new Rejection(at, symbol, side, quantity, block.Rule, block.Reason ?? block.Rule);
        _rejections.Add(rejection);
        _journal?.Rejected(rejection, evaluation, Id(symbol, at, kind));
        return false;
    }

    private void Reject(DateTime at, Symbol symbol, OrderIntent intent, decimal? quantity, string rule, string reason)
    {
        var rejection = new Rejection(at, symbol, intent.Side, quantity, rule, reason);
        _rejections.Add(rejection);
        _journal?.Rejected(rejection, null, null);
    }

    private string? Id(Symbol symbol, DateTime at, string kind) =>
        _options.RunId is { } run ? ClientOrderId(run, symbol, at, kind) : null;
}
