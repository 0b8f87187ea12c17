using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Risk;

/// <summary>FINRA 4210's pattern-day-trader limit: below $25,000 equity, at most 3 day trades in any 5 business days.</summary>
/// <remarks>
/// <para>Counting (from fills, per symbol and New York session date): an opening fill (one that opens or increases the
/// position) marks the symbol as opened today; the next reducing fill that day counts one day trade and clears the mark.
/// So buy, buy, sell = 1; buy, sell, buy, sell = 2; buy 200, sell 100, sell 100 = 1; a position held overnight and sold
/// today = 0; held overnight, bought more and sold today = 1. A fill that flips through zero first reduces, then opens.
/// The rule books positions from the fills it sees; seed positions held before it started with <see cref="SeedPosition"/>.</para>
/// <para>The window is the last <c>windowBusinessDays</c> trading sessions of the calendar ending today (weekends and
/// holidays skipped), today included.</para>
/// <para>Blocking: below the threshold, an opening order is blocked when the day trades in the window, plus the symbols
/// already opened today (each could still become one), plus this symbol if it is not among them, would exceed the
/// maximum. With no open same-day positions this is "3 already counted ⇒ the 4th opening is blocked". Any opening could
/// be closed the same session, so the rule cannot tell a planned swing from a scalp and blocks both. When the broker
/// flags the account as a pattern day trader and equity is under the threshold, every opening is blocked: the broker
/// restricts such accounts to closing trades and would reject the order anyway. Exits are never blocked: taking risk off
/// must stay possible, even though the exit may itself count as a day trade and push the account over the limit.</para>
/// </remarks>
public sealed class PatternDayTraderRule : IGuardrail
{
    private readonly ITradingCalendar _calendar;
    private readonly Dictionary<Symbol, Book> _books = new();
    private readonly List<DayTrade> _dayTrades = new();
    private readonly Lock _lock = new();

    public PatternDayTraderRule(ITradingCalendar calendar, decimal threshold = 25_000m, int maxDayTrades = 3, int windowBusinessDays = 5)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        if (threshold < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The equity threshold must not be negative.");
        }

        if (maxDayTrades < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDayTrades), maxDayTrades, "The maximum day trades must not be negative.");
        }

        if (windowBusinessDays <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(windowBusinessDays), windowBusinessDays, "The window must be at least one business day.");
        }

        _calendar = calendar;
        Threshold = threshold;
        MaxDayTrades = maxDayTrades;
        WindowBusinessDays = windowBusinessDays;
    }

    public decimal Threshold { get; }

    public int MaxDayTrades { get; }

    public int WindowBusinessDays { get; }

    public string Rule => GuardrailRules.Pdt;

    /// <summary>Every day trade counted so far, in fill order.</summary>
    public IReadOnlyList<DayTrade> DayTrades
    {
        get
        {
            lock (_lock)
            {
                return _dayTrades.ToArray();
            }
        }
    }

    /// <summary>Tells the rule about a position held before it started seeing fills (signed: negative = short).</summary>
    public void SeedPosition(Symbol symbol, decimal quantity)
    {
        lock (_lock)
        {
            BookOf(symbol).Quantity = quantity;
        }
    }

    /// <summary>The first and last trading session of the window that ends on <paramref name="sessionDate"/>.</summary>
    public (DateOnly First, DateOnly Last) WindowEnding(DateOnly sessionDate)
    {
        DateOnly? last = null;
        var first = sessionDate;
        var found = 0;
        // Guard against a calendar with no sessions: stop after far more calendar days than any real window spans.
        for (var d = sessionDate; found < WindowBusinessDays && sessionDate.DayNumber - d.DayNumber <= (WindowBusinessDays * 7) + 60; d = d.AddDays(-1))
        {
            if (_calendar.IsTradingDay(d))
            {
                last ??= d;
                first = d;
                found++;
            }
        }

        return (first, last ?? sessionDate);
    }

    /// <summary>Day trades whose session date falls in the window ending on <paramref name="sessionDate"/>.</summary>
    public int DayTradesInWindow(DateOnly sessionDate)
    {
        var (first, _) = WindowEnding(sessionDate);
        lock (_lock)
        {
            return _dayTrades.Count(t => t.SessionDate >= first && t.SessionDate <= sessionDate);
        }
    }

    public void OnFill(Fill fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var date = ExchangeTime.SessionDate(fill.Timestamp);
        lock (_lock)
        {
            var book = BookOf(fill.Symbol);
            var signed = fill.Side == OrderSide.Buy ? fill.Quantity : -fill.Quantity;
            var before = book.Quantity;
            var reduces = before != 0 && Math.Sign(before) != Math.Sign(signed);
            if (reduces)
            {
                if (book.OpenedOn == date)
                {
                    _dayTrades.Add(new DayTrade(date, fill.Symbol, fill.Timestamp));
                    book.OpenedOn = null;
                }

                // A fill larger than the position flips it: the excess opens the other way.
                if (Math.Abs(signed) > Math.Abs(before))
                {
                    book.OpenedOn = date;
                }
            }
            else
            {
                book.OpenedOn = date;
            }

            book.Quantity = before + signed;
        }
    }

    public GuardrailDecision Check(OrderCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var equity = check.Account.Equity;
        if (!check.IsOpening || equity >= Threshold)
        {
            return GuardrailDecision.Allow(Rule);
        }

        var today = ExchangeTime.SessionDate(check.UtcNow);
        if (check.Account.BrokerReportsPdt)
        {
            return GuardrailDecision.Block(
                Rule,
                $"the broker flags the account as a pattern day trader and equity {Format.Money(equity)} < {Format.Money(Threshold)}; " +
                "opening orders are blocked (the broker restricts the account to closing trades)");
        }

        var (first, last) = WindowEnding(today);
        List<Symbol> openToday;
        int counted;
        lock (_lock)
        {
            counted = _dayTrades.Count(t => t.SessionDate >= first && t.SessionDate <= today);
            openToday = _books.Where(kv => kv.Value.OpenedOn == today && kv.Value.Quantity != 0).Select(kv => kv.Key).ToList();
        }

        var addsOne = !openToday.Contains(check.Symbol);
        var projected = counted + openToday.Count + (addsOne ? 1 : 0);
        if (projected <= MaxDayTrades)
        {
            return GuardrailDecision.Allow(Rule);
        }

        var pending = openToday.Count == 0
            ? string.Empty
            : $" plus {openToday.Count} position(s) opened today that could become one ({string.Join(", ", openToday.Select(x => x.Value).Order(StringComparer.Ordinal))})";
        var ordinal = Ordinal(MaxDayTrades + 1);
        return GuardrailDecision.Block(
            Rule,
            $"{counted} day trades in the {WindowBusinessDays} business days {Format.Date(first)}..{Format.Date(last)}{pending} " +
            $"and equity {Format.Money(equity)} < {Format.Money(Threshold)}; a {ordinal} is not allowed");
    }

    private static string Ordinal(int n) => (n % 100) switch
    {
        11 or 12 or 13 => $"{n}th",
        _ => (n % 10) switch
        {
            1 => $"{n}st",
            2 => $"{n}nd",
            3 => $"{n}rd",
            _ => $"{n}th",
        },
    };

    private Book BookOf(Symbol symbol)
    {
        if (!_books.TryGetValue(symbol, out var book))
        {
            book = new Book();
            _books[symbol] = book;
        }

        return book;
    }

    private sealed class Book
    {
        public decimal Quantity { get; set; }

        // The session date of an opening fill not yet paired with a reducing fill; null once paired.
        public DateOnly? OpenedOn { get; set; }
    }
}
