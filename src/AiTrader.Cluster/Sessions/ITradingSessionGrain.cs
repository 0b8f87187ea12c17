namespace AiTrader.Cluster.Sessions;

/// <summary>One trading run (keyed by its run id): Orleans keeps at most one activation of it in the cluster, so one
/// process drives the run at a time. The run's state is the platform's (the journal, the run registry, the paper
/// snapshot); a new activation resumes the run with <c>trade</c>'s own resume logic.</summary>
public interface ITradingSessionGrain : IGrainWithStringKey
{
    /// <summary>Drives the run of <paramref name="specJson"/> (a session spec, as <c>POST /api/sessions</c> takes it;
    /// its run id is the grain's key) if no driver runs here yet, and says how it stands. Idempotent: the client calls it
    /// again to follow the run, and after a lost silo that call starts the driver on another silo, which resumes the run.</summary>
    Task<SessionDriveStatus> Drive(string specJson);

    /// <summary>The silo the run's activation is on (activating it there if it was not active), without driving it.</summary>
    Task<string> Silo();
}

/// <summary>Where a driven run stands.</summary>
/// <param name="State">running, finished or failed.</param>
/// <param name="Silo">The silo driving it.</param>
/// <param name="BarsProcessed">Bar times the driver has processed (a resumed driver counts the ones it re-ran).</param>
/// <param name="Resumed">The driver resumed the run (it had been started before, by another activation or process).</param>
/// <param name="FinalEquity">A finished run's final equity.</param>
/// <param name="Orders">A finished run's orders submitted by this driver.</param>
/// <param name="Error">A failed run's one-line reason.</param>
/// <param name="Summary">A finished run's summary, as <c>aitrader trade</c> prints it (<see cref="AiTrader.Application.Sessions.SessionSummary"/>).</param>
[GenerateSerializer, Immutable]
public sealed record SessionDriveStatus(
    [property: Id(0)] string State,
    [property: Id(1)] string Silo,
    [property: Id(2)] int BarsProcessed,
    [property: Id(3)] bool Resumed,
    [property: Id(4)] decimal? FinalEquity,
    [property: Id(5)] int Orders,
    [property: Id(6)] string? Error,
    [property: Id(7)] string? Summary = null)
{
    public const string Running = "running";
    public const string Finished = "finished";
    public const string Failed = "failed";
}
