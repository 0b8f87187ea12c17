using System.Globalization;
using System.Security.Cryptography;

namespace AiTrader.Storage.Jobs;

/// <summary>Where a job is in its life: queued, running, then one of the three finished states.</summary>
public enum JobState
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>Text names of <see cref="JobState"/> as stored and as the API shows them (lower case).</summary>
public static class JobStates
{
    public static string ToText(this JobState state) => state switch
    {
        JobState.Queued => "queued",
        JobState.Running => "running",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown job state."),
    };

    public static bool TryParse(string? text, out JobState state)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "queued":
                state = JobState.Queued;
                return true;
            case "running":
                state = JobState.Running;
                return true;
            case "succeeded":
                state = JobState.Succeeded;
                return true;
            case "failed":
                state = JobState.Failed;
                return true;
            case "cancelled" or "canceled":
                state = JobState.Cancelled;
                return true;
            default:
                state = default;
                return false;
        }
    }

    /// <summary>Succeeded, failed or cancelled: nothing will change the job any more.</summary>
    public static bool IsFinished(this JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}

/// <summary>A job as stored: what was asked (<paramref name="RequestJson"/>), how far it got, and how it ended.</summary>
/// <param name="Id">Sortable by creation and unguessable: <c>job_&lt;UTC yyyyMMddHHmmssfff&gt;_&lt;8 random hex&gt;</c>.</param>
/// <param name="Kind">What runs: <c>backtest</c>, <c>sweep</c>.</param>
/// <param name="State">Where the job is in its life.</param>
/// <param name="Progress">0..1; never goes down.</param>
/// <param name="Phase">What the job is doing now (load, engine, metrics, files), when it said.</param>
/// <param name="RequestJson">The job's request as submitted.</param>
/// <param name="CreatedUtc">When it was submitted.</param>
/// <param name="StartedUtc">When a worker took it.</param>
/// <param name="FinishedUtc">When it succeeded, failed or was cancelled.</param>
/// <param name="Error">Why it failed or was cancelled (one line).</param>
/// <param name="OutputDirectory">The folder of its files, once it succeeded.</param>
/// <param name="ResultJson">Its result (a backtest: the run's summary.json), once it succeeded.</param>
public sealed record JobRecord(
    string Id,
    string Kind,
    JobState State,
    double Progress,
    string? Phase,
    string RequestJson,
    DateTime CreatedUtc,
    DateTime? StartedUtc,
    DateTime? FinishedUtc,
    string? Error,
    string? OutputDirectory,
    string? ResultJson)
{
    public bool IsFinished => State.IsFinished();
}

/// <summary>Which jobs to list, newest first: optionally one kind and one state, at most <see cref="Limit"/>, created
/// before the job <see cref="Before"/> (the last id of the previous page).</summary>
public sealed record JobQuery(string? Kind = null, JobState? State = null, int Limit = JobQuery.DefaultLimit, string? Before = null)
{
    /// <summary>The page a client gets when it does not say.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The largest page a client may ask for; a store takes one more (the page and whether another follows).</summary>
    public const int MaxLimit = 200;
}

/// <summary>Job ids: <c>job_</c>, the UTC creation time to the millisecond, and 32 random bits. Within a process they are
/// strictly increasing (a second id in the same millisecond takes the next one), so id order is creation order.</summary>
public static class JobIds
{
    public const string Prefix = "job_";
    private const string StampFormat = "yyyyMMddHHmmssfff";
    private static readonly Lock Gate = new();
    private static DateTime _last;

    /// <summary>A new id and the creation time it encodes.</summary>
    public static (string Id, DateTime CreatedUtc) Next(DateTime nowUtc)
    {
        var ms = new DateTime(nowUtc.Ticks - nowUtc.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
        lock (Gate)
        {
            if (ms <= _last)
            {
                ms = _last.AddMilliseconds(1);
            }

            _last = ms;
        }

        var random = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        return ($"{Prefix}{ms.ToString(StampFormat, CultureInfo.InvariantCulture)}_{random}", ms);
    }

    /// <summary>Whether <paramref name="id"/> has the shape of a job id (checked before it reaches SQL or a path).</summary>
    public static bool IsWellFormed(string? id) =>
        id is { Length: 30 } && id.StartsWith(Prefix, StringComparison.Ordinal) && id[21] == '_'
        && id.AsSpan(4, 17).ContainsAnyExceptInRange('0', '9') is false
        && id.AsSpan(22).ContainsAnyExcept("0123456789abcdef") is false;
}
