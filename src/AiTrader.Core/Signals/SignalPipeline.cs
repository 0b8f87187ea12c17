using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;
using AiTrader.Core.Signals.Indicators;
using AiTrader.Core.Signals.Kalman;
using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Signals;

/// <summary>Turns bars into <see cref="SignalFrame"/>s one at a time: Kalman filter, regime classifier and indicators in one pass.</summary>
/// <remarks>
/// The same instance serves a backtest, a batch fetch and a live stream: <see cref="Run"/> is literally a loop over
/// <see cref="Update"/>, so batch and streaming frames are identical, and frame i depends on bars 0..i only. Each
/// <see cref="Update"/> costs O(1) amortized per indicator and allocates the output frame only (it makes the Kalman
/// state and regime label it carries when they are read); no LINQ, no per-bar collections.
/// </remarks>
public sealed class SignalPipeline
{
    private readonly KalmanFilter _kalman;
    private readonly RealizedVolatility _realizedVolatility;
    private readonly RegimeClassifier _regimes;
    private readonly SimpleMovingAverage _sma;
    private readonly ExponentialMovingAverage _ema;
    private readonly AverageTrueRange _atr;
    private readonly RelativeStrengthIndex _rsi;
    private readonly DonchianChannel _donchian;
    private readonly RollingMoments _closeMoments; // Bollinger bands and z-score read the same window of closes
    private readonly RollingVolatility _volatility;
    private readonly SessionVwap _vwap;
    private readonly GapPercent _gap;
    private readonly RelativeVolume _relativeVolume;
    private readonly NewYorkClock _clock = new();
    private DateTime? _lastTimestamp;
    private double _previousClose;

    /// <summary>Creates a pipeline for bars of <paramref name="timeframe"/> (RVOL and VWAP depend on it).</summary>
    public SignalPipeline(Timeframe timeframe, SignalPipelineOptions? options = null)
    {
        Options = options ?? new SignalPipelineOptions();
        Options.Validate();
        Timeframe = timeframe;
        _kalman = new KalmanFilter(Options.Kalman);
        _regimes = new RegimeClassifier(Options.Regime);
        _realizedVolatility = new RealizedVolatility(Options.Regime.VolatilityWindow);
        _sma = new SimpleMovingAverage(Options.SmaPeriod);
        _ema = new ExponentialMovingAverage(Options.EmaPeriod);
        _atr = new AverageTrueRange(Options.AtrPeriod);
        _rsi = new RelativeStrengthIndex(Options.RsiPeriod);
        _donchian = new DonchianChannel(Options.DonchianPeriod);
        _closeMoments = new RollingMoments(Options.BollingerPeriod);
        _volatility = new RollingVolatility(Options.VolatilityPeriod);
        _vwap = new SessionVwap();
        _gap = new GapPercent();
        _relativeVolume = new RelativeVolume(timeframe, Options.RelativeVolumeSessions, Options.ExtendedHours);
    }

    public Timeframe Timeframe { get; }

    public SignalPipelineOptions Options { get; }

    /// <summary>Bars seen so far.</summary>
    public int Count { get; private set; }

    /// <summary>An independent pipeline in this one's state (a checkpoint): fed the same next bars, it yields the same
    /// frames as this one would. <paramref name="bytes"/>: about how much memory the copy holds.</summary>
    public SignalPipeline Copy(out long bytes) => StateCopy.Of(this, out bytes);

    /// <summary>Runs a fresh pipeline over <paramref name="bars"/> (sorted by time) and returns one frame per bar.</summary>
    public static IReadOnlyList<SignalFrame> Run(IReadOnlyList<Bar> bars, Timeframe timeframe, SignalPipelineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var pipeline = new SignalPipeline(timeframe, options);
        var frames = new SignalFrame[bars.Count];
        for (var i = 0; i < bars.Count; i++)
        {
            frames[i] = pipeline.Update(bars[i]);
        }

        return frames;
    }

    /// <summary>Runs a fresh pipeline over <c>bars[0..end)</c>, every bar so the indicators and the filter are warm, and
    /// yields the frames of <c>bars[from..end)</c> as they are computed (frame i depends on bars 0..i only). The signals
    /// command (from --start on) and the API's signal pages (one page) both read their frames here.</summary>
    public static IEnumerable<SignalFrame> Frames(IReadOnlyList<Bar> bars, Timeframe timeframe, int from, int end)
    {
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(end, bars.Count);
        return Iterate();

        IEnumerable<SignalFrame> Iterate()
        {
            var pipeline = new SignalPipeline(timeframe);
            for (var i = 0; i < end; i++)
            {
                var frame = pipeline.Update(bars[i]);
                if (i >= from)
                {
                    yield return frame;
                }
            }
        }
    }

    /// <summary>Feeds the next bar (strictly later than the previous one, positive close) and returns its frame.</summary>
    public SignalFrame Update(in Bar bar)
    {
        if (_lastTimestamp is { } last && bar.Timestamp <= last)
        {
            // Out-of-order or duplicate bars would silently corrupt every rolling window; refuse them.
            throw new ArgumentException(
                $"Bar at {bar.Timestamp:O} is not after the previous bar at {last:O}; feed bars sorted by time without duplicates.",
                nameof(bar));
        }

        if (bar.Close <= 0)
        {
            // Checked before any state changes: log returns and log prices need it, and a half-updated pipeline is unusable.
            throw new ArgumentException($"Bar at {bar.Timestamp:O} has close {bar.Close}; signals need positive closes.", nameof(bar));
        }

        // Each price is converted from decimal once, the log return and the New York time are worked out once, and
        // the Bollinger bands and the z-score share one window of moments: the same inputs each indicator would work
        // out for itself, so the values are the same as the stand-alone indicators'.
        var close = (double)bar.Close;
        var high = (double)bar.High;
        var low = (double)bar.Low;
        var volume = (double)bar.Volume;
        var logReturn = Count > 0 ? Math.Log(close / _previousClose) : double.NaN;
        var newYork = _clock.ToNewYork(bar.Timestamp);
        var sessionDate = DateOnly.FromDateTime(newYork);

        ref readonly var kalman = ref _kalman.Step(close);
        var regime = _regimes.Classify(kalman.IsWarmup, kalman.ProbabilityVelocityPositive,
            _realizedVolatility.Update(close, logReturn), out var regimeInputs, out var barsInRegime);
        _closeMoments.Add(close);
        var bands = _closeMoments.IsFull ? BollingerBands.From(_closeMoments, Options.BollingerK) : (BollingerValue?)null;
        var channel = _donchian.Update(high, low);
        var vwap = _vwap.Update(sessionDate, high, low, close, volume, bar.Vwap);

        var priceVariance = Options.Kalman.UseLogPrice
            ? kalman.FilteredPrice * kalman.FilteredPrice * kalman.P00 // delta method: Var(e^l) ≈ (e^l)² Var(l)
            : kalman.P00;

        _lastTimestamp = bar.Timestamp;
        _previousClose = close;
        Count++;
        return new SignalFrame(
            bar,
            kalman,
            priceVariance,
            regime,
            regimeInputs,
            barsInRegime,
            sma: _sma.Update(close),
            ema: _ema.Update(close),
            atr: _atr.Update(high, low, close),
            rsi: _rsi.Update(close),
            donchianHigh: channel?.Upper,
            donchianLow: channel?.Lower,
            zScore: RollingZScore.From(_closeMoments, close),
            bollingerUpper: bands?.Upper,
            bollingerLower: bands?.Lower,
            volatility: _volatility.Update(close, logReturn),
            vwap: Timeframe.IsIntraday ? vwap : null,
            gapPercent: _gap.Update(sessionDate, bar.Open, close),
            relativeVolume: _relativeVolume.Update(sessionDate, newYork, volume));
    }
}
