using System.CommandLine;
using AiTrader.Cli.Commands;
using AiTrader.Core.MarketData;

namespace AiTrader.Cli;

/// <summary>The <c>aitrader</c> command tree and its error policy: one line per problem, no stack traces.</summary>
public static class AiTraderApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        CancellationToken cancellationToken = default)
    {
        AppSettings settings;
        try
        {
            settings = AppSettings.Load();
        }
        catch (SettingsException ex)
        {
            // Checked before any command runs; help still shows, so a broken .env cannot hide how to fix it.
            if (args.Any(a => a is "-h" or "--help" or "-?" or "--version"))
            {
                settings = AppSettings.LoadUnchecked();
            }
            else
            {
                foreach (var problem in ex.Problems)
                {
                    await stderr.WriteLineAsync($"error: {problem}");
                }

                return ExitCodes.BadInput;
            }
        }

        // Bar cache entries are written beside the command's work; the finally below waits for them.
        settings.BarCacheWriteBehind = true;
        var root = BuildRoot(settings, stdout, stderr);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var first = ErrorText.ForParseError(parse.Errors[0].Message);
            var command = parse.CommandResult.Command;
            var help = command == root ? "aitrader --help" : $"aitrader {CommandPath(parse.CommandResult)} --help";
            await stderr.WriteLineAsync($"error: {first} (see '{help}')");
            return ExitCodes.BadInput;
        }

        try
        {
            return await parse.InvokeAsync(
                new InvocationConfiguration
                {
                    Output = stdout,
                    Error = stderr,
                    EnableDefaultExceptionHandler = false,
                    // Ctrl+C lets a trading run finish its bar time (journal and snapshot complete) instead of the default 2 s.
                    ProcessTerminationTimeout = parse.CommandResult.Command.Name is "trade" or "serve" or "silo" ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(2),
                },
                cancellationToken);
        }
        catch (Exception ex) when (TransientFailures.IsTransient(ex))
        {
            await stderr.WriteLineAsync($"error: {ErrorText.ForException(ex).TrimEnd('.')}; a temporary failure upstream, retry later.");
            return ExitCodes.TempFail;
        }
        catch (Exception ex) when (ex is CliException or RequestException or MarketDataException or ArgumentException or FormatException)
        {
            await stderr.WriteLineAsync($"error: {ErrorText.ForException(ex)}");
            return ExitCodes.BadInput;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("cancelled");
            return 130;
        }
        catch (Exception ex) when (ErrorText.IsPathProblem(ex))
        {
            // A path the user named that cannot be read or written (a missing file, a folder without permission, /proc):
            // the input is wrong, not the program.
            await stderr.WriteLineAsync($"error: {ErrorText.ForException(ex).TrimEnd('.')}; check the path and that you may read or write there.");
            return ExitCodes.BadInput;
        }
        catch (Exception ex)
        {
            await stderr.WriteLineAsync($"error: {ErrorText.ForException(ex)} (an unexpected failure; set AITRADER_DEBUG=1 for the details)");
            if (Environment.GetEnvironmentVariable("AITRADER_DEBUG") == "1")
            {
                await stderr.WriteLineAsync(ex.ToString());
            }

            return ExitCodes.Failure;
        }
        finally
        {
            // Bar cache entries are written beside the command's own work; the process must not end before they are whole.
            AiTrader.Core.MarketData.BarFileCache.WaitForPendingWrites();
        }
    }

    /// <summary>The whole <c>aitrader</c> command tree, printing to <paramref name="stdout"/> and <paramref name="stderr"/>.</summary>
    public static RootCommand BuildRoot(AppSettings settings, TextWriter stdout, TextWriter stderr) =>
        new("AI Trader: market data, probabilistic signals, backtests and risk-gated trading for US equities.")
        {
            CalendarCommand.Create(stdout),
            BacktestCommand.Create(settings, stdout, stderr),
            BenchCommand.Create(stdout, stderr),
            SweepCommand.Create(settings, stdout, stderr),
            SiloCommand.Create(settings, stdout),
            LookaheadCommand.Create(settings, stdout, stderr),
            FetchCommand.Create(stdout, stderr),
            JournalCommand.Create(settings, stdout),
            StrategiesCommand.Create(stdout),
            SignalsCommand.Create(settings, stdout, stderr),
            TradeCommand.Create(settings, stdout),
            StreamCommand.Create(settings, stdout, stderr),
            ScanCommand.Create(settings, stdout, stderr),
            WatchlistCommand.Create(settings, stdout),
            ApiKeyCommand.Create(settings, stdout),
            ServeCommand.Create(settings, stdout),
            WebhookCommand.Create(stdout),
            DbCommand.Create(settings, stdout),
            DocsCommand.Create(stdout),
        };

    private static string CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new List<string>();
        for (var r = result; r is not null && r.Parent is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, r.Command.Name);
        }

        return string.Join(' ', names);
    }
}
