using System.Text.Json;
using AiTrader.Application;
using AiTrader.Application.Backtests;
using AiTrader.Application.Jobs;
using AiTrader.Application.Scans;
using AiTrader.Application.Sessions;
using AiTrader.Application.Sweeps;
using AiTrader.Storage.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace AiTrader.Service;

/// <summary>Backtests and sweeps as jobs: submit (202 and the job), list, status with progress, result, files, cancel.
/// <c>/backtests</c> and <c>/sweeps</c> are the same endpoints over the two kinds of job.</summary>
internal static class JobEndpoints
{
    /// <summary>The files of a finished job a client may fetch, with their media types: fixed names, never a client path.</summary>
    private static readonly Dictionary<string, string> Files = new(StringComparer.Ordinal)
    {
        ["session.json"] = "application/json",
        ["scan.json"] = "application/json",
        ["sweep.csv"] = "text/csv",
        ["heatmap.svg"] = "image/svg+xml",
        ["heatmap.html"] = "text/html",
        ["heatmap.png"] = "image/png",
        ["walk_forward.csv"] = "text/csv",
        ["oos_equity.csv"] = "text/csv",
        ["oos_metrics.csv"] = "text/csv",
        ["summary.json"] = "application/json",
        ["trades.csv"] = "text/csv",
        ["equity.csv"] = "text/csv",
        ["orders.csv"] = "text/csv",
        ["fills.csv"] = "text/csv",
        ["report.html"] = "text/html",
        ["equity.png"] = "image/png",
        ["price.png"] = "image/png",
    };

    public static void Map(RouteGroupBuilder api)
    {
        MapKind(api, "backtests", JobRunner.BacktestKind, "a backtest (JSON spec, docs/reference/jobs.md)",
            (runner, body, ct) => runner.SubmitBacktestAsync(BacktestSpec.FromJson(body), ct));
        MapKind(api, "sweeps", JobRunner.SweepKind, "a parameter sweep or walk-forward (JSON spec, docs/reference/jobs.md)",
            (runner, body, ct) => runner.SubmitSweepAsync(SweepSpec.FromJson(body), ct));
        MapKind(api, "scans", JobRunner.ScanKind, "a premarket scan replayed over the bundled minute bars of a date (JSON spec, docs/reference/jobs.md)",
            (runner, body, ct) => runner.SubmitScanAsync(ScanReplaySpec.FromJson(body), ct));
        MapKind(api, "sessions", JobRunner.SessionKind, "a paper replay session through the trading loop, journaled (JSON spec, docs/reference/jobs.md)",
            (runner, body, ct) => runner.SubmitSessionAsync(ReplaySessionSpec.FromJson(body), ct));
        api.MapGet("/backtests/{id}/monthly-returns", (JobRunner runner, string id, CancellationToken ct) => MonthlyReturnsAsync(runner, JobRunner.BacktestKind, id, ct))
            .WithSummary("A succeeded backtest's monthly returns: New York months compounded from equity.csv, as its report shows them.");
        api.MapGet("/sweeps/{id}/monthly-returns", (JobRunner runner, string id, CancellationToken ct) => MonthlyReturnsAsync(runner, JobRunner.SweepKind, id, ct))
            .WithSummary("A succeeded walk-forward's out-of-sample monthly returns (from oos_equity.csv); 409 for a sweep without walk-forward.");
    }

    /// <summary>The monthly returns table of a finished backtest (equity.csv from its initial capital) or walk-forward
    /// (the stitched out-of-sample curve from the spec's capital).</summary>
    private static async Task<IResult> MonthlyReturnsAsync(JobRunner runner, string kind, string id, CancellationToken ct)
    {
        if (await FindAsync(runner, kind, id, ct) is not { } job)
        {
            return NotFound(kind, id);
        }

        if (job.State != JobState.Succeeded || job.OutputDirectory is null || job.ResultJson is null)
        {
            return NotReady(job);
        }

        string file;
        decimal initial;
        if (kind == JobRunner.BacktestKind)
        {
            file = "equity.csv";
            using var summary = JsonDocument.Parse(job.ResultJson);
            initial = summary.RootElement.GetProperty("initial_capital").GetDecimal();
        }
        else
        {
            file = "oos_equity.csv";
            initial = SweepSpec.FromJson(job.RequestJson).Capital;
        }

        var path = Path.Combine(job.OutputDirectory, file);
        if (!File.Exists(path))
        {
            return kind == JobRunner.SweepKind
                ? Problems.Result(StatusCodes.Status409Conflict, "no equity curve",
                    $"{id} is a sweep without walk-forward: each combination is its own run; run a walk-forward, or a backtest of one combination, for monthly returns.")
                : Problems.Result(StatusCodes.Status404NotFound, "file missing", $"{file} of {id} is no longer on disk.", "id");
        }

        var rows = await MonthlyReturnsFile.ComputeAsync(path, initial, ct);
        return Results.Text(JsonText.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("source", file);
            json.WriteNumber("initial_capital", initial);
            json.WriteStartArray("years");
            foreach (var row in rows)
            {
                json.WriteStartObject();
                json.WriteNumber("year", row.Year);
                json.WriteStartArray("months");
                foreach (var month in row.Months)
                {
                    if (month is { } r)
                    {
                        json.WriteNumberValue(r);
                    }
                    else
                    {
                        json.WriteNullValue();
                    }
                }

                json.WriteEndArray();
                json.WriteNumber("year_return", row.YearReturn);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }), "application/json");
    }

    private static void MapKind(RouteGroupBuilder api, string path, string kind, string what,
        Func<JobRunner, string, CancellationToken, Task<JobRecord>> submit)
    {
        var group = api.MapGroup("/" + path);
        group.MapPost("", (HttpRequest request, JobRunner runner, CancellationToken ct) => SubmitAsync(request, runner, submit, ct))
            .RequireAuthorization(ApiKeyAuthenticationHandler.TraderPolicy)
            .WithSummary($"Submit {what}; 202 with the job, polled at links.self.");
        group.MapGet("", (JobRunner runner, string? state, int? limit, string? before, CancellationToken ct) => ListAsync(runner, kind, state, limit, before, ct))
            .WithSummary("Jobs of this kind, newest first: state filter, limit (at most 200) and the before cursor.");
        group.MapGet("/{id}", (JobRunner runner, string id, CancellationToken ct) => GetAsync(runner, kind, id, ct))
            .WithSummary("A job's state, progress and phase; when it has succeeded, its result too (a backtest's summary.json as summary).");
        group.MapGet("/{id}/result", (JobRunner runner, string id, CancellationToken ct) => ResultAsync(runner, kind, id, ct))
            .WithSummary("A succeeded job's result (a backtest's summary.json; a sweep's ranking); 409 before it succeeds.");
        group.MapGet("/{id}/files/{name}", (JobRunner runner, string id, string name, CancellationToken ct) => FileAsync(runner, kind, id, name, ct))
            .WithSummary("One output file of a succeeded job, by name (see links.files).");
        group.MapGet("/{id}/events", (HttpContext context, JobRunner runner, string id, CancellationToken ct) => EventsAsync(context, runner, kind, id, ct))
            .WithSummary("Server-sent events: the job (state, progress, phase) each time it changes, a session's book as it trades, until the job ends.");
        group.MapDelete("/{id}", (JobRunner runner, string id, CancellationToken ct) => CancelAsync(runner, kind, id, ct))
            .RequireAuthorization(ApiKeyAuthenticationHandler.TraderPolicy)
            .WithSummary("Cancel a queued or running job; 409 when it has finished.");
    }

    private static async Task<IResult> SubmitAsync(HttpRequest request, JobRunner runner,
        Func<JobRunner, string, CancellationToken, Task<JobRecord>> submit, CancellationToken ct)
    {
        var body = await RequestText.ReadAsync(request, ct);
        try
        {
            var job = await submit(runner, body, ct);
            request.HttpContext.Response.Headers.Location = $"/api/{PathOf(job.Kind)}/{job.Id}";
            return Results.Text(JobJson(job), "application/json", statusCode: StatusCodes.Status202Accepted);
        }
        catch (JobQueueFullException full)
        {
            return Problems.Result(StatusCodes.Status503ServiceUnavailable, "job queue full",
                $"{full.Capacity} jobs are already waiting; retry when some have finished.");
        }
    }

    private static async Task<IResult> ListAsync(JobRunner runner, string kind, string? state, int? limit, string? before, CancellationToken ct)
    {
        JobState? filter = null;
        if (!string.IsNullOrWhiteSpace(state))
        {
            filter = JobStates.TryParse(state, out var s)
                ? s
                : throw new RequestException($"state '{state}' is not a job state; use queued, running, succeeded, failed or cancelled.", "state");
        }

        var size = limit ?? JobQuery.DefaultLimit;
        if (size is < 1 or > JobQuery.MaxLimit)
        {
            throw new RequestException($"limit must be 1 to {JobQuery.MaxLimit} (got {size}).", "limit");
        }

        if (before is not null && !JobIds.IsWellFormed(before))
        {
            throw new RequestException($"before '{before}' is not a job id; pass the last id of the previous page.", "before");
        }

        var jobs = await runner.Store.ListAsync(new JobQuery(kind, filter, size + 1, before), ct);
        var page = jobs.Take(size).ToList();
        return Results.Text(JsonText.Write(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("jobs");
            foreach (var job in page)
            {
                json.WriteRawValue(JobJson(job));
            }

            json.WriteEndArray();
            if (jobs.Count > size)
            {
                json.WriteString("next_before", page[^1].Id);
            }
            else
            {
                json.WriteNull("next_before");
            }

            json.WriteEndObject();
        }), "application/json");
    }

    private static async Task<IResult> GetAsync(JobRunner runner, string kind, string id, CancellationToken ct) =>
        await FindAsync(runner, kind, id, ct) is { } job ? Results.Text(JobJson(job, withResult: true), "application/json") : NotFound(kind, id);

    private static async Task<IResult> ResultAsync(JobRunner runner, string kind, string id, CancellationToken ct)
    {
        if (await FindAsync(runner, kind, id, ct) is not { } job)
        {
            return NotFound(kind, id);
        }

        return job.State == JobState.Succeeded && job.ResultJson is { } result
            ? Results.Text(result, "application/json")
            : NotReady(job);
    }

    private static async Task<IResult> FileAsync(JobRunner runner, string kind, string id, string name, CancellationToken ct)
    {
        if (await FindAsync(runner, kind, id, ct) is not { } job)
        {
            return NotFound(kind, id);
        }

        if (!Files.TryGetValue(name, out var contentType))
        {
            return Problems.Result(StatusCodes.Status404NotFound, "no such file",
                $"'{name}' is not a job file; use one of {string.Join(", ", Files.Keys)}.", "name");
        }

        if (job.State != JobState.Succeeded || job.OutputDirectory is null)
        {
            return NotReady(job);
        }

        // The name is one of the fixed names above, never a path from the client. Absolute: a relative path (the default
        // AITRADER_ARTIFACTS_DIR, artifacts) would be read as a virtual path under the content root, next to the binary.
        var path = Path.GetFullPath(Path.Combine(job.OutputDirectory, name));
        return File.Exists(path)
            ? Results.File(path, contentType, name)
            : Problems.Result(StatusCodes.Status404NotFound, "file missing", $"{name} of {job.Id} is no longer on disk.", "name");
    }

    private static async Task<IResult> CancelAsync(JobRunner runner, string kind, string id, CancellationToken ct)
    {
        if (await FindAsync(runner, kind, id, ct) is not { } job)
        {
            return NotFound(kind, id);
        }

        if (job.IsFinished || !await runner.CancelAsync(id, ct))
        {
            var now = await runner.Store.GetAsync(id, ct) ?? job;
            return Problems.Result(StatusCodes.Status409Conflict, "job finished", $"{id} is {now.State.ToText()}; only queued or running jobs can be cancelled.");
        }

        return Results.Text(JobJson((await runner.Store.GetAsync(id, ct))!), "application/json", statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>How often the events stream looks at the job, and the longest quiet between two messages (a comment
    /// keeps proxies from closing the stream).</summary>
    private static readonly TimeSpan EventPoll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    private static async Task EventsAsync(HttpContext context, JobRunner runner, string kind, string id, CancellationToken ct)
    {
        if (await FindAsync(runner, kind, id, ct) is null)
        {
            await NotFound(kind, id).ExecuteAsync(context);
            return;
        }

        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        await response.WriteAsync("retry: 2000\n\n", ct);
        string? lastJob = null;
        string? lastBook = null;
        var quietSince = DateTime.UtcNow;
        while (!ct.IsCancellationRequested)
        {
            var job = await runner.Store.GetAsync(id, ct);
            if (job is null)
            {
                return;
            }

            var text = JobJson(job);
            if (text != lastJob)
            {
                await response.WriteAsync($"event: job\ndata: {text}\n\n", ct);
                lastJob = text;
                quietSince = DateTime.UtcNow;
            }

            if (kind == JobRunner.SessionKind && runner.LiveRunId(id) is { } run
                && Application.Sessions.SessionBook.Read(runner.Settings.DataDir, run) is { } book)
            {
                var bookText = JsonSerializer.Serialize(new
                {
                    run_id = run,
                    as_of = book.AsOfUtc,
                    cash = book.Cash,
                    equity = book.Equity,
                    fills = book.Fills,
                    positions = book.Positions.Select(p => new { symbol = p.Symbol, quantity = p.Quantity, mark = p.Mark })
                });
                if (bookText != lastBook)
                {
                    await response.WriteAsync($"event: book\ndata: {bookText}\n\n", ct);
                    lastBook = bookText;
                    quietSince = DateTime.UtcNow;
                }
            }

            if (job.IsFinished)
            {
                await response.WriteAsync("event: end\ndata: {}\n\n", ct);
                return;
            }

            if (DateTime.UtcNow - quietSince > Heartbeat)
            {
                await response.WriteAsync(": still running\n\n", ct);
                quietSince = DateTime.UtcNow;
            }

            await response.Body.FlushAsync(ct);
            await Task.Delay(EventPoll, ct);
        }
    }

    private static async Task<JobRecord?> FindAsync(JobRunner runner, string kind, string id, CancellationToken ct) =>
        JobIds.IsWellFormed(id) && await runner.Store.GetAsync(id, ct) is { } job && job.Kind == kind ? job : null;

    private static IResult NotFound(string kind, string id) =>
        Problems.Result(StatusCodes.Status404NotFound, "no such job", $"there is no {kind} job '{id}'; list them at /api/{PathOf(kind)}.", "id");

    private static string PathOf(string kind) => kind switch
    {
        JobRunner.SweepKind => "sweeps",
        JobRunner.SessionKind => "sessions",
        JobRunner.ScanKind => "scans",
        _ => "backtests",
    };

    private static IResult NotReady(JobRecord job) =>
        Problems.Result(StatusCodes.Status409Conflict, "job not succeeded",
            job.IsFinished
                ? $"{job.Id} is {job.State.ToText()}{(job.Error is { } e ? $": {e}" : "")}; it has no results."
                : $"{job.Id} is {job.State.ToText()} ({job.Progress:P0}); poll /api/{PathOf(job.Kind)}/{job.Id} until it has succeeded.");

    /// <summary>A job as the API shows it: state, progress, times, error, the spec it runs and where its outputs are.</summary>
    /// <param name="withResult">Add the result of a succeeded job (a backtest's as <c>summary</c>); the status of one job
    /// carries it, lists and event streams do not.</param>
    internal static string JobJson(JobRecord job, bool withResult = false)
    {
        return JsonText.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("id", job.Id);
            json.WriteString("kind", job.Kind);
            json.WriteString("state", job.State.ToText());
            json.WriteNumber("progress", job.Progress);
            json.WriteStringOrNull("phase", job.Phase);
            json.WriteString("created_at", job.CreatedUtc);
            json.WriteTimeOrNull("started_at", job.StartedUtc);
            json.WriteTimeOrNull("finished_at", job.FinishedUtc);
            json.WriteStringOrNull("error", job.Error);
            json.WritePropertyName("spec");
            json.WriteRawValue(job.RequestJson);
            if (withResult && job.State == JobState.Succeeded && job.ResultJson is { } result)
            {
                // A backtest's result is its summary.json, key for key as the CLI writes it.
                json.WritePropertyName(job.Kind == JobRunner.BacktestKind ? "summary" : "result");
                json.WriteRawValue(result);
            }

            json.WriteStartObject("links");
            var root = $"/api/{PathOf(job.Kind)}/{job.Id}";
            json.WriteString("self", root);
            json.WriteString("result", root + "/result");
            json.WriteString("files", root + "/files/{name}");
            json.WriteEndObject();
            json.WriteEndObject();
        });
    }


}

/// <summary>Starts the job runner with the service (recovering jobs a previous run left unfinished) and stops it with
/// the service: running jobs are cancelled as "service stopped" and waited for, so their records are complete.</summary>
internal sealed class JobRunnerService(JobRunner runner) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => runner.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => runner.StopAsync(cancellationToken);
}
