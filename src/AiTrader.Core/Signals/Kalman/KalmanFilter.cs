using AiTrader.Core.Domain;
using AiTrader.Core.Signals.Indicators;

namespace AiTrader.Core.Signals.Kalman;

/// <summary>A streaming constant-velocity (local linear trend) Kalman filter over one price series.</summary>
/// <remarks>
/// State x = [level, velocity], transition F = [[1, 1], [0, 1]] per bar, measurement H = [1, 0], process noise
/// Q = q·[[1/4, 1/2], [1/2, 1]] (Bar-Shalom's discrete white-noise acceleration model). Every output depends only
/// on the prices passed so far, so the same instance serves backtests and live bars.
/// </remarks>
public sealed class KalmanFilter
{
    private readonly TrailingWindow _differences;
    private double _level;
    private double _velocity;
    private double _p00;
    private double _p01;
    private double _p11;
    private double _previousObservation;
    private int _count;
    private KalmanValues _last;
    private KalmanState? _current;

    public KalmanFilter(KalmanOptions? options = null)
    {
        Options = options ?? new KalmanOptions();
        Options.Validate();
        _differences = new TrailingWindow(Options.NoiseWindow);
    }

    public KalmanOptions Options { get; }

    /// <summary>The state after the most recent <see cref="Update"/>, or null before the first price.</summary>
    public KalmanState? Current => _count == 0 ? null : _current ??= _last.ToState();

    /// <summary>Runs a fresh filter over a price series and returns one state per price.</summary>
    public static KalmanState[] FilterSeries(ReadOnlySpan<double> prices, KalmanOptions? options = null)
    {
        var filter = new KalmanFilter(options);
        var states = new KalmanState[prices.Length];
        for (var i = 0; i < prices.Length; i++)
        {
            states[i] = filter.Update(prices[i]);
        }

        return states;
    }

    /// <summary>Runs a fresh filter over the closes of a bar series.</summary>
    public static KalmanState[] FilterCloses(IReadOnlyList<Bar> bars, KalmanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var filter = new KalmanFilter(options);
        var states = new KalmanState[bars.Count];
        for (var i = 0; i < bars.Count; i++)
        {
            states[i] = filter.Update((double)bars[i].Close);
        }

        return states;
    }

    /// <summary>Feeds the next price (a close, in price units) and returns the posterior for that bar.</summary>
    public KalmanState Update(double price)
    {
        var state = Step(price).ToState();
        _current = state;
        return state;
    }

    /// <summary><see cref="Update"/> without the record: the same numbers as a value, read in place (valid until the
    /// next step) rather than copied out.</summary>
    internal ref readonly KalmanValues Step(double price)
    {
        var z = ToModelUnits(price);
        double innovation, s, k0, k1, r, q;

        if (_count == 0)
        {
            // Diffuse prior centred on the first observation: level = z0, velocity = 0, P0 diagonal and large.
            // Bar 0 then gets the ordinary measurement update, whose innovation is zero by construction.
            r = MeasurementNoiseFor(_differences);
            q = Options.ProcessNoise ?? Options.ProcessToMeasurementRatio * r;
            _level = z;
            _velocity = 0.0;
            _p00 = Options.InitialLevelVariance;
            _p01 = 0.0;
            _p11 = Options.InitialVelocityVariance;
        }
        else
        {
            AddDifference(z - _previousObservation);
            r = MeasurementNoiseFor(_differences);
            q = Options.ProcessNoise ?? Options.ProcessToMeasurementRatio * r;
            Predict(q);
        }

        // Measurement update with H = [1, 0]: only the level is observed, so S and K need no matrix inverse.
        innovation = z - _level;
        s = _p00 + r;
        k0 = _p00 / s;
        k1 = _p01 / s;
        _level += k0 * innovation;
        _velocity += k1 * innovation;

        // P = (I − K·H)·P⁻ written out; with the optimal gain the result is symmetric, so three numbers suffice.
        var p00 = (1.0 - k0) * _p00;
        var p01 = (1.0 - k0) * _p01;
        var p11 = _p11 - k1 * _p01;
        _p00 = p00;
        _p01 = p01;
        _p11 = p11;

        _previousObservation = z;
        _last = new KalmanValues(
            BarIndex: _count,
            Observation: z,
            FilteredPrice: Options.UseLogPrice ? Math.Exp(_level) : _level,
            Level: _level,
            Velocity: _velocity,
            P00: _p00,
            P01: _p01,
            P11: _p11,
            Innovation: innovation,
            InnovationVariance: s,
            GainLevel: k0,
            GainVelocity: k1,
            ProbabilityVelocityPositive: ProbabilityPositive(_velocity, _p11),
            MeasurementNoise: r,
            ProcessNoise: q,
            IsWarmup: _count < Options.WarmupBars);
        _count++;
        _current = null;
        return ref _last;
    }

    private double ToModelUnits(double price)
    {
        if (!double.IsFinite(price))
        {
            throw new ArgumentOutOfRangeException(nameof(price), price, "Price must be finite.");
        }

        if (!Options.UseLogPrice)
        {
            return price;
        }

        if (price <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(price), price, "Log-price filtering needs positive prices.");
        }

        return Math.Log(price);
    }

    // x⁻ = F·x, P⁻ = F·P·Fᵀ + Q with F = [[1, 1], [0, 1]] and Q = q·[[1/4, 1/2], [1/2, 1]].
    private void Predict(double q)
    {
        _level += _velocity;
        var p00 = _p00 + 2.0 * _p01 + _p11 + 0.25 * q;
        var p01 = _p01 + _p11 + 0.5 * q;
        var p11 = _p11 + q;
        _p00 = p00;
        _p01 = p01;
        _p11 = p11;
    }

    private void AddDifference(double difference)
    {
        if (Options.MeasurementNoise is not null)
        {
            return; // configured R: no need to keep history
        }

        _differences.Add(difference);
    }

    // R from the trailing first differences only, so no output depends on a later bar. Recomputed in two passes
    // each bar (window ≤ a few hundred) rather than with running sums, which drift and break bit-exact replays.
    private double MeasurementNoiseFor(TrailingWindow differences)
    {
        if (Options.MeasurementNoise is { } configured)
        {
            return configured;
        }

        double variance;
        var n = differences.Count;
        if (n == 0)
        {
            variance = 0.0;
        }
        else if (n == 1)
        {
            var d = differences.Oldest;
            variance = d * d;
        }
        else
        {
            variance = differences.SampleVariance();
        }

        return Math.Max(Options.MinimumMeasurementNoise, Options.MeasurementNoiseScale * variance);
    }

    private static double ProbabilityPositive(double velocity, double varianceOfVelocity)
    {
        if (varianceOfVelocity <= 0)
        {
            return velocity > 0 ? 1.0 : velocity < 0 ? 0.0 : 0.5;
        }

        return NormalDistribution.Cdf(velocity / Math.Sqrt(varianceOfVelocity));
    }
}
