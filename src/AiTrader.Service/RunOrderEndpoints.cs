using System.Text.RegularExpressions;
using AiTrader.Application;
using AiTrader.Core.Journal;
using AiTrader.Core.Reporting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AiTrader.Service;

/// <summary>A trading run's orders and trades from its journal, in a backtest's orders.csv and trades.csv columns: what
/// the dashboard's chart draws for a paper or live session (markers, and each stop through every level it moved to).</summary>
internal static partial class RunOrderEndpoints
{
    public static void Map(RouteGroupBuilder api, Func<IJournal> open)
    {
        api.MapGet("/runs/{run}/orders.csv", (string run, string? symbol, CancellationToken ct) => CsvAsync(open, run, symbol, log => log.RenderOrdersCsv(), ct))
            .WithSummary("A trading run's orders from the journal as orders.csv (stop_path: every level a stop moved to, with its time); optional symbol filter.");
        api.MapGet("/runs/{run}/trades.csv", (string run, string? symbol, CancellationToken ct) => CsvAsync(open, run, symbol, log => log.RenderTradesCsv(), ct))
            .WithSummary("A trading run's closed round trips from the journal's fills as trades.csv; optional symbol filter.");
    }

    private static async Task<IResult> CsvAsync(Func<IJournal> open, string run, string? symbol, Func<RunOrderLog, string> render, CancellationToken ct)
    {
        if (!RunIdPattern().IsMatch(run))
        {
            throw new RequestException($"run '{run}' is not a run id; run ids look like replay-2612051204301a2b (the book of a session names its run_id).", "run");
        }

        var query = string.IsNullOrWhiteSpace(symbol) ? JournalQuery.All : new JournalQuery(Symbol: RequestChecks.Symbol(symbol, "symbol"));
        await using var journal = open();
        var entries = await journal.QueryAsync(query, ct);
        return Results.Text(render(RunOrderLog.FromJournal(entries, run)), "text/csv; charset=utf-8");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")]
    private static partial Regex RunIdPattern();
}
