using System.Diagnostics.Metrics;
using AiTrader.Application;
using AiTrader.MarketData.Streaming;
using Microsoft.Extensions.Logging;

namespace AiTrader.Service;

/// <summary>What the service has seen since it started, for <c>GET /health/details</c> and the dashboard's health page:
/// each vendor's requests and typed errors and the market-data stream's lag (read from the platform's own metrics, so
/// nothing else has to report them), and the latest warnings and errors it logged.</summary>
/// <remarks>The metrics are process-wide, so two services in one process (tests) see each other's vendor calls.</remarks>
public sealed class ServiceActivity : IDisposable
{
    /// <summary>How many warnings and errors are kept, newest first.</summary>
    public const int RecentCapacity = 50;

    private const string VendorDuration = "aitrader.vendor.request.duration";
    private const string VendorErrors = "aitrader.vendor.errors";
    private const string StreamLag = "aitrader.stream.lag";

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, VendorActivity> _vendors = new(StringComparer.Ordinal);
    private readonly LinkedList<LoggedProblem> _recent = new();
    private StreamActivity _stream = new(0, null, null, 0, null);

    public ServiceActivity(TimeProvider time)
    {
        _time = time;
        StartedUtc = time.GetUtcNow().UtcDateTime;
        Streams = new StreamConnections(time);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == Telemetry.Name && instrument.Name is VendorDuration or VendorErrors or StreamLag)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Measured(instrument.Name, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Measured(instrument.Name, value, tags));
        _listener.Start();
    }

    public DateTime StartedUtc { get; }

    /// <summary>The market-data sockets of the service's live sessions, as their streams report them.</summary>
    public StreamConnections Streams { get; }

    /// <summary>Keeps a warning or error the service logged (the message as written: keys are never logged).</summary>
    public void Logged(LogLevel level, string category, string message)
    {
        lock (_gate)
        {
            _recent.AddFirst(new LoggedProblem(_time.GetUtcNow().UtcDateTime, level, category, message));
            if (_recent.Count > RecentCapacity)
            {
                _recent.RemoveLast();
            }
        }
    }

    /// <summary>Each vendor seen so far, by name.</summary>
    public IReadOnlyDictionary<string, VendorActivity> Vendors
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, VendorActivity>(_vendors, StringComparer.Ordinal);
            }
        }
    }

    public StreamActivity Stream
    {
        get
        {
            lock (_gate)
            {
                return _stream;
            }
        }
    }

    /// <summary>The latest warnings and errors, newest first.</summary>
    public IReadOnlyList<LoggedProblem> Recent
    {
        get
        {
            lock (_gate)
            {
                return [.. _recent];
            }
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Measured(string instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? vendor = null, kind = null;
        int? status = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "vendor":
                    vendor = tag.Value?.ToString();
                    break;
                case "kind":
                    kind = tag.Value?.ToString();
                    break;
                case "status":
                    status = tag.Value is int s ? s : int.TryParse(tag.Value?.ToString(), out var parsed) ? parsed : null;
                    break;
            }
        }

        var now = _time.GetUtcNow().UtcDateTime;
        lock (_gate)
        {
            if (instrument == StreamLag)
            {
                var s = _stream;
                _stream = new StreamActivity(s.Bars + 1, value, now, Math.Max(s.MaxLagSeconds, value), s.Bars == 0 ? value : s.MeanLagSeconds + ((value - s.MeanLagSeconds!.Value) / (s.Bars + 1)));
                return;
            }

            if (vendor is null)
            {
                return;
            }

            var v = _vendors.GetValueOrDefault(vendor) ?? new VendorActivity(0, null, null, 0, null, null);
            _vendors[vendor] = instrument == VendorDuration
                ? v with { Requests = v.Requests + 1, LastRequestUtc = now, LastStatus = status }
                : v with { Errors = v.Errors + (long)value, LastErrorUtc = now, LastErrorKind = SnakeCase(kind ?? "unknown") };
        }
    }

    /// <summary>The kind as the metric carries it (<c>rate_limited</c>); an enum name from another recorder (<c>RateLimited</c>) reads the same.</summary>
    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}

/// <summary>One vendor's HTTP requests and typed errors since the service started.</summary>
public sealed record VendorActivity(long Requests, DateTime? LastRequestUtc, int? LastStatus, long Errors, DateTime? LastErrorUtc, string? LastErrorKind);

/// <summary>Live bars received from the market-data stream and how late they came (bar close to arrival).</summary>
public sealed record StreamActivity(long Bars, double? LastLagSeconds, DateTime? LastBarUtc, double MaxLagSeconds, double? MeanLagSeconds);

/// <summary>A warning or error the service logged.</summary>
public sealed record LoggedProblem(DateTime AtUtc, LogLevel Level, string Category, string Message);

/// <summary>Hands the service's warnings and errors to <see cref="ServiceActivity"/>.</summary>
internal sealed class RecentProblemsLoggerProvider(ServiceActivity activity) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new ProblemLogger(activity, categoryName);

    public void Dispose()
    {
    }

    private sealed class ProblemLogger(ServiceActivity activity, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // A bad request the exception handler answers with a 400 problem (an unknown symbol, a malformed date) is the
            // caller's mistake, not the service's error; a failed source (503) is counted by the vendor panel instead.
            if (!IsEnabled(logLevel) || ServiceApp.IsCallersMistake(exception) || exception is UpstreamException)
            {
                return;
            }

            var message = formatter(state, exception).ReplaceLineEndings(" ");
            if (exception is not null)
            {
                message += $" ({exception.GetType().Name}: {exception.Message.ReplaceLineEndings(" ")})";
            }

            activity.Logged(logLevel, category, message.Length > 500 ? message[..500] + "…" : message);
        }
    }
}
