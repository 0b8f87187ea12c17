using AiTrader.Core.Domain;
using AiTrader.Core.Signals.Kalman;
using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Signals;

/// <summary>One bar's probabilistic signal: the bar, the Kalman trend estimate, the regime and the indicators (null during warm-up).</summary>
/// <remarks>
/// Every value depends only on this bar and earlier ones (see <see cref="SignalPipeline"/>). Indicator names carry the
/// default periods of <see cref="SignalPipelineOptions"/> (sma_20, atr_14, …); with other periods the same slots hold
/// those values. Column reference: docs/reference/signals.md.
/// </remarks>
public sealed record SignalFrame
{
    // Frames from the pipeline keep the Kalman numbers and the regime inputs as values and make the KalmanState and
    // RegimeLabel records only when they are read: one object per bar instead of three.
    private readonly KalmanValues _kalmanValues;
    private readonly RegimeInputs _regimeInputs;
    private readonly int _barsInRegime;
    private readonly bool _fromPipeline;
    private readonly MarketRegime _labelRegime;
    private KalmanState? _kalman;
    private RegimeLabel? _regimeLabel;

    // The indicators as doubles with NaN for "no value yet" (warm-up): 8 bytes each instead of a 16-byte double?, on
    // an object made for every bar. An indicator never yields NaN as a value, so none is lost.
    private double _sma;
    private double _ema;
    private double _atr;
    private double _rsi;
    private double _donchianHigh;
    private double _donchianLow;
    private double _zScore;
    private double _bollingerUpper;
    private double _bollingerLower;
    private double _volatility;
    private double _vwap;
    private double _gapPercent;
    private double _relativeVolume;

    /// <param name="Timestamp">The bar's open time (UTC), as in <see cref="Domain.Bar.Timestamp"/>.</param>
    /// <param name="Open">The bar's open.</param>
    /// <param name="High">The bar's high.</param>
    /// <param name="Low">The bar's low.</param>
    /// <param name="Close">The bar's close: the price the filter observed.</param>
    /// <param name="Volume">The bar's volume.</param>
    /// <param name="FilteredPrice">Kalman level in price units (exp(level), the median, in log mode).</param>
    /// <param name="Velocity">Kalman velocity per bar: a log return per bar in log mode, price per bar otherwise.</param>
    /// <param name="PriceVariance">Variance of the filtered price in price²: P00 in raw mode; FilteredPrice²·P00 in log
    /// mode (delta method, since d exp(l)/dl = exp(l)).</param>
    /// <param name="ProbabilityUp">Φ(velocity/√P11): the filter's probability that the trend is up.</param>
    /// <param name="Regime">The regime label of this bar.</param>
    /// <param name="RegimeLabel">The regime with its inputs, thresholds and reason.</param>
    /// <param name="Kalman">The full Kalman posterior (covariances, innovation, gains, noise) for auditing.</param>
    /// <param name="Sma">sma_20: simple moving average of closes.</param>
    /// <param name="Ema">ema_20: exponential moving average of closes, seeded with the SMA.</param>
    /// <param name="Atr">atr_14: Wilder average true range.</param>
    /// <param name="Rsi">rsi_14: Wilder relative strength index.</param>
    /// <param name="DonchianHigh">donchian_high_20: highest high of the last 20 bars, this one included.</param>
    /// <param name="DonchianLow">donchian_low_20: lowest low of the last 20 bars, this one included.</param>
    /// <param name="ZScore">zscore_20: (close − sma_20)/σ, σ the population std of the last 20 closes.</param>
    /// <param name="BollingerUpper">bb_upper_20: sma_20 + 2σ.</param>
    /// <param name="BollingerLower">bb_lower_20: sma_20 − 2σ.</param>
    /// <param name="Volatility">vol_20: sample std of the last 20 log returns, per bar.</param>
    /// <param name="Vwap">vwap: session VWAP; intraday bars only (null on daily bars, where it would be the typical price).</param>
    /// <param name="GapPercent">gap_pct: session open over the previous session's last close, minus 1 (a fraction).</param>
    /// <param name="RelativeVolume">rvol: relative volume by time of day (intraday) or versus the previous bars (daily).</param>
    public SignalFrame(
        DateTime Timestamp,
        decimal Open,
        decimal High,
        decimal Low,
        decimal Close,
        decimal Volume,
        double FilteredPrice,
        double Velocity,
        double PriceVariance,
        double ProbabilityUp,
        MarketRegime Regime,
        RegimeLabel RegimeLabel,
        KalmanState Kalman,
        double? Sma,
        double? Ema,
        double? Atr,
        double? Rsi,
        double? DonchianHigh,
        double? DonchianLow,
        double? ZScore,
        double? BollingerUpper,
        double? BollingerLower,
        double? Volatility,
        double? Vwap,
        double? GapPercent,
        double? RelativeVolume)
    {
        this.Timestamp = Timestamp;
        this.Open = Open;
        this.High = High;
        this.Low = Low;
        this.Close = Close;
        this.Volume = Volume;
        this.FilteredPrice = FilteredPrice;
        this.Velocity = Velocity;
        this.PriceVariance = PriceVariance;
        this.ProbabilityUp = ProbabilityUp;
        this.Regime = Regime;
        ArgumentNullException.ThrowIfNull(RegimeLabel);
        _regimeLabel = RegimeLabel;
        ArgumentNullException.ThrowIfNull(Kalman);
        _kalman = Kalman;
        this.Sma = Sma;
        this.Ema = Ema;
        this.Atr = Atr;
        this.Rsi = Rsi;
        this.DonchianHigh = DonchianHigh;
        this.DonchianLow = DonchianLow;
        this.ZScore = ZScore;
        this.BollingerUpper = BollingerUpper;
        this.BollingerLower = BollingerLower;
        this.Volatility = Volatility;
        this.Vwap = Vwap;
        this.GapPercent = GapPercent;
        this.RelativeVolume = RelativeVolume;
    }

    /// <summary>A pipeline frame: the bar, the filter's numbers and the classifier's decision, with the indicators.</summary>
    internal SignalFrame(in Bar bar, in KalmanValues kalman, double priceVariance, MarketRegime regime, in RegimeInputs regimeInputs,
        int barsInRegime, double? sma, double? ema, double? atr, double? rsi, double? donchianHigh, double? donchianLow,
        double? zScore, double? bollingerUpper, double? bollingerLower, double? volatility, double? vwap, double? gapPercent,
        double? relativeVolume)
    {
        Timestamp = bar.Timestamp;
        Open = bar.Open;
        High = bar.High;
        Low = bar.Low;
        Close = bar.Close;
        Volume = bar.Volume;
        FilteredPrice = kalman.FilteredPrice;
        Velocity = kalman.Velocity;
        PriceVariance = priceVariance;
        ProbabilityUp = kalman.ProbabilityVelocityPositive;
        Regime = regime;
        _kalmanValues = kalman;
        _regimeInputs = regimeInputs;
        _barsInRegime = barsInRegime;
        _fromPipeline = true;
        _labelRegime = regime;
        Sma = sma;
        Ema = ema;
        Atr = atr;
        Rsi = rsi;
        DonchianHigh = donchianHigh;
        DonchianLow = donchianLow;
        ZScore = zScore;
        BollingerUpper = bollingerUpper;
        BollingerLower = bollingerLower;
        Volatility = volatility;
        Vwap = vwap;
        GapPercent = gapPercent;
        RelativeVolume = relativeVolume;
    }

    public DateTime Timestamp { get; init; }

    public decimal Open { get; init; }

    public decimal High { get; init; }

    public decimal Low { get; init; }

    public decimal Close { get; init; }

    public decimal Volume { get; init; }

    public double FilteredPrice { get; init; }

    public double Velocity { get; init; }

    public double PriceVariance { get; init; }

    public double ProbabilityUp { get; init; }

    public MarketRegime Regime { get; init; }

    public RegimeLabel RegimeLabel
    {
        get => _regimeLabel ??= new RegimeLabel(_kalmanValues.BarIndex, _labelRegime, _barsInRegime, _kalmanValues.Velocity, _regimeInputs);
        init
        {
            _regimeLabel = value ?? throw new ArgumentNullException(nameof(value));
            _fromPipeline = false;
        }
    }

    /// <summary>The classifier's inputs for this bar, when the regime label is still the pipeline's own (so its reason
    /// can be written without making the label).</summary>
    internal bool TryGetRegimeInputs(out RegimeInputs inputs)
    {
        inputs = _regimeInputs;
        return _fromPipeline;
    }

    public KalmanState Kalman
    {
        get => _kalman ??= _kalmanValues.ToState();
        init => _kalman = value ?? throw new ArgumentNullException(nameof(value));
    }

    public double? Sma
    {
        get => Value(_sma);
        init => _sma = value ?? double.NaN;
    }

    public double? Ema
    {
        get => Value(_ema);
        init => _ema = value ?? double.NaN;
    }

    public double? Atr
    {
        get => Value(_atr);
        init => _atr = value ?? double.NaN;
    }

    public double? Rsi
    {
        get => Value(_rsi);
        init => _rsi = value ?? double.NaN;
    }

    public double? DonchianHigh
    {
        get => Value(_donchianHigh);
        init => _donchianHigh = value ?? double.NaN;
    }

    public double? DonchianLow
    {
        get => Value(_donchianLow);
        init => _donchianLow = value ?? double.NaN;
    }

    public double? ZScore
    {
        get => Value(_zScore);
        init => _zScore = value ?? double.NaN;
    }

    public double? BollingerUpper
    {
        get => Value(_bollingerUpper);
        init => _bollingerUpper = value ?? double.NaN;
    }

    public double? BollingerLower
    {
        get => Value(_bollingerLower);
        init => _bollingerLower = value ?? double.NaN;
    }

    public double? Volatility
    {
        get => Value(_volatility);
        init => _volatility = value ?? double.NaN;
    }

    public double? Vwap
    {
        get => Value(_vwap);
        init => _vwap = value ?? double.NaN;
    }

    public double? GapPercent
    {
        get => Value(_gapPercent);
        init => _gapPercent = value ?? double.NaN;
    }

    public double? RelativeVolume
    {
        get => Value(_relativeVolume);
        init => _relativeVolume = value ?? double.NaN;
    }

    private static double? Value(double stored) => double.IsNaN(stored) ? null : stored;

    /// <summary>True while the Kalman filter is in warm-up (its noise estimate and gain have not settled).</summary>
    public bool IsWarmup => _kalman?.IsWarmup ?? _kalmanValues.IsWarmup;

    /// <summary>Standard deviation of the velocity, √P11, in the filter's units.</summary>
    public double VelocityStdDev => Math.Sqrt(_kalman?.P11 ?? _kalmanValues.P11);

    /// <summary>Value equality over every property, as a positional record compares its members (the Kalman state and
    /// the regime label by value, whether or not they have been made yet).</summary>
    public bool Equals(SignalFrame? other) =>
        ReferenceEquals(this, other)
        || (other is not null
            && EqualityComparer<DateTime>.Default.Equals(Timestamp, other.Timestamp)
            && EqualityComparer<decimal>.Default.Equals(Open, other.Open)
            && EqualityComparer<decimal>.Default.Equals(High, other.High)
            && EqualityComparer<decimal>.Default.Equals(Low, other.Low)
            && EqualityComparer<decimal>.Default.Equals(Close, other.Close)
            && EqualityComparer<decimal>.Default.Equals(Volume, other.Volume)
            && EqualityComparer<double>.Default.Equals(FilteredPrice, other.FilteredPrice)
            && EqualityComparer<double>.Default.Equals(Velocity, other.Velocity)
            && EqualityComparer<double>.Default.Equals(PriceVariance, other.PriceVariance)
            && EqualityComparer<double>.Default.Equals(ProbabilityUp, other.ProbabilityUp)
            && EqualityComparer<MarketRegime>.Default.Equals(Regime, other.Regime)
            && EqualityComparer<RegimeLabel>.Default.Equals(RegimeLabel, other.RegimeLabel)
            && EqualityComparer<KalmanState>.Default.Equals(Kalman, other.Kalman)
            && EqualityComparer<double?>.Default.Equals(Sma, other.Sma)
            && EqualityComparer<double?>.Default.Equals(Ema, other.Ema)
            && EqualityComparer<double?>.Default.Equals(Atr, other.Atr)
            && EqualityComparer<double?>.Default.Equals(Rsi, other.Rsi)
            && EqualityComparer<double?>.Default.Equals(DonchianHigh, other.DonchianHigh)
            && EqualityComparer<double?>.Default.Equals(DonchianLow, other.DonchianLow)
            && EqualityComparer<double?>.Default.Equals(ZScore, other.ZScore)
            && EqualityComparer<double?>.Default.Equals(BollingerUpper, other.BollingerUpper)
            && EqualityComparer<double?>.Default.Equals(BollingerLower, other.BollingerLower)
            && EqualityComparer<double?>.Default.Equals(Volatility, other.Volatility)
            && EqualityComparer<double?>.Default.Equals(Vwap, other.Vwap)
            && EqualityComparer<double?>.Default.Equals(GapPercent, other.GapPercent)
            && EqualityComparer<double?>.Default.Equals(RelativeVolume, other.RelativeVolume));

    public override int GetHashCode() =>
        HashCode.Combine(Timestamp, Close, FilteredPrice, Velocity, ProbabilityUp, Regime, Sma, Atr);
}
