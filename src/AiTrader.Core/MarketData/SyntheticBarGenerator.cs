using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.MarketData;

/// <summary>A market regime of the synthetic generator: per-session drift and volatility of log returns.</summary>
/// <param name="Name">Label for reports and tests, e.g. "calm-up".</param>
/// <param name="DailyDrift">Mean log return per regular session (0.0005 ≈ +13% a year).</param>
/// <param name="DailyVolatility">Standard deviation of the log return per session (0.01 ≈ 16% a year).</param>
/// <param name="Persistence">Probability of staying in this regime for another session.</param>
public sealed record SyntheticRegime(string Name, double DailyDrift, double DailyVolatility, double Persistence);

/// <summary>Generated bars with the regime that produced each one (same index).</summary>
public sealed record SyntheticSeries(IReadOnlyList<Bar> Bars, IReadOnlyList<SyntheticRegime> Regimes);

/// <summary>Seeded, deterministic OHLCV random walk whose drift and volatility follow a Markov chain over regimes.</summary>
/// <remarks>Strategies and risk code need data with trends, crashes and calm stretches that tests can reproduce
/// exactly; a single geometric Brownian motion has none of that structure. Same seed and arguments give identical bars.</remarks>
public sealed class SyntheticBarGenerator
{
    private const double MinutesPerSession = 390;

    /// <summary>The default three regimes: a calm up-trend, a sideways chop and a volatile sell-off.</summary>
    public static IReadOnlyList<SyntheticRegime> DefaultRegimes { get; } =
    [
        new("calm-up", 0.0008, 0.008, 0.97),
        new("choppy", 0.0, 0.014, 0.93),
        new("volatile-down", -0.004, 0.035, 0.90),
    ];

    private readonly int _seed;
    private readonly IReadOnlyList<SyntheticRegime> _regimes;

    /// <summary>Creates a generator; <paramref name="regimes"/> defaults to <see cref="DefaultRegimes"/>. When a regime
    /// is left, the next one is drawn uniformly from the others.</summary>
    public SyntheticBarGenerator(int seed, IReadOnlyList<SyntheticRegime>? regimes = null)
    {
        regimes ??= DefaultRegimes;
        if (regimes.Count == 0)
        {
            throw new ArgumentException("At least one regime is required.", nameof(regimes));
        }

        foreach (var r in regimes)
        {
            if (r.DailyVolatility < 0 || r.Persistence is < 0 or > 1)
            {
                throw new ArgumentException($"Regime '{r.Name}' needs volatility >= 0 and persistence in [0, 1].", nameof(regimes));
            }
        }

        _seed = seed;
        _regimes = regimes;
    }

    /// <summary>Generates <paramref name="count"/> bars. Daily bars sit at the open of every session from the New York
    /// date of <paramref name="startUtc"/> on; intraday bars on the session grid from the 09:30 ET open, starting at the
    /// first grid time at or after <paramref name="startUtc"/>. Sessions come from
    /// <paramref name="calendar"/>, or are Monday–Friday 09:30–16:00 ET when it is null. Prices are rounded to cents.</summary>
    public SyntheticSeries Generate(DateTime startUtc, Timeframe timeframe, int count, ITradingCalendar? calendar = null, decimal startPrice = 100m)
    {
        if (startUtc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException("Start must be a UTC instant (Kind=Utc).", nameof(startUtc));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(startPrice, 0.01m);

        var random = new Random(_seed);
        var timestamps = Timestamps(startUtc, timeframe, calendar).Take(count).ToList();
        var bars = new List<Bar>(count);
        var path = new List<SyntheticRegime>(count);

        // Regime transitions are per session, scaled to the bar length, so the same regime persistence means the same
        // expected regime duration in days whatever the timeframe.
        var barsPerSession = timeframe.IsIntraday ? MinutesPerSession / timeframe.Minutes : 1.0;
        var scale = 1.0 / barsPerSession;
        var regime = random.Next(_regimes.Count);
        var price = (double)startPrice;
        foreach (var t in timestamps)
        {
            if (bars.Count > 0)
            {
                regime = NextRegime(random, regime, barsPerSession);
            }

            var r = _regimes[regime];
            var drift = r.DailyDrift * scale;
            var vol = r.DailyVolatility * Math.Sqrt(scale);

            // A small overnight/between-bar gap so open != previous close, as in real data.
            var open = price * Math.Exp(0.25 * vol * Gaussian(random));
            var close = open * Math.Exp(drift + vol * Gaussian(random));
            var high = Math.Max(open, close) * Math.Exp(0.5 * vol * Math.Abs(Gaussian(random)));
            var low = Math.Min(open, close) * Math.Exp(-0.5 * vol * Math.Abs(Gaussian(random)));
            var volume = Math.Round(1_000_000 * scale * (1 + 20 * vol / Math.Sqrt(scale)) * Math.Exp(0.3 * Gaussian(random)));

            bars.Add(MakeBar(t, open, high, low, close, (decimal)volume));
            path.Add(r);
            price = (double)bars[^1].Close;
        }

        return new SyntheticSeries(bars, path);
    }

    private int NextRegime(Random random, int current, double barsPerSession)
    {
        if (_regimes.Count == 1)
        {
            return current;
        }

        var stayPerBar = Math.Pow(_regimes[current].Persistence, 1.0 / barsPerSession);
        if (random.NextDouble() < stayPerBar)
        {
            return current;
        }

        var next = random.Next(_regimes.Count - 1);
        return next >= current ? next + 1 : next;
    }

    private static Bar MakeBar(DateTime t, double open, double high, double low, double close, decimal volume)
    {
        // Rounding each price to cents can break the OHLC order by a cent, so high/low are re-derived after rounding.
        static decimal Cents(double p) => Math.Max(0.01m, Math.Round((decimal)p, 2, MidpointRounding.AwayFromZero));
        var o = Cents(open);
        var c = Cents(close);
        var h = Math.Max(Cents(high), Math.Max(o, c));
        var l = Math.Min(Cents(low), Math.Min(o, c));
        return new Bar(t, o, h, l, c, volume);
    }

    private static double Gaussian(Random random)
    {
        // Box–Muller; 1 - NextDouble() avoids log(0).
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static IEnumerable<DateTime> Timestamps(DateTime startUtc, Timeframe timeframe, ITradingCalendar? calendar)
    {
        var date = ExchangeTime.SessionDate(startUtc);
        var step = timeframe.Duration;
        for (var guard = 0; guard < 100_000; guard++, date = date.AddDays(1))
        {
            var session = Session(date, calendar);
            if (session is null)
            {
                continue;
            }

            guard = 0;
            if (!timeframe.IsIntraday)
            {
                yield return session.OpenUtc;
                continue;
            }

            for (var t = session.OpenUtc; t < session.CloseUtc; t += step)
            {
                if (t >= startUtc)
                {
                    yield return t;
                }
            }
        }

        throw new InvalidOperationException("The calendar has no trading session in 100000 days after the start.");
    }

    private static TradingSession? Session(DateOnly date, ITradingCalendar? calendar)
    {
        if (calendar is not null)
        {
            return calendar.GetSession(date);
        }

        if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            return null;
        }

        return new TradingSession(
            date,
            ExchangeTime.ToUtc(date, new TimeOnly(4, 0)),
            ExchangeTime.ToUtc(date, new TimeOnly(9, 30)),
            ExchangeTime.ToUtc(date, new TimeOnly(16, 0)),
            ExchangeTime.ToUtc(date, new TimeOnly(20, 0)),
            false);
    }
}
