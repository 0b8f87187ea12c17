using System.CommandLine;
using System.Globalization;
using AiTrader.Core.Sessions;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader calendar</c>: NYSE trading sessions as CSV with UTC instants.</summary>
public static class CalendarCommand
{
    public const string Header = "date,premarket_open,open,close,after_hours_close";

    public static Command Create(TextWriter stdout)
    {
        // --start/--end as on every other command; --from/--to, the first spelling, still work but are not shown.
        var start = new Option<string?>("--start") { Description = "First date (YYYY-MM-DD, New York), inclusive; 1998-01-01 or later." };
        var end = new Option<string?>("--end") { Description = "Last date (YYYY-MM-DD, New York), inclusive; 2035-12-31 or earlier." };
        var from = new Option<string?>("--from") { Hidden = true };
        var to = new Option<string?>("--to") { Hidden = true };
        var command = new Command("calendar", "Print NYSE trading sessions (holidays and early closes applied) as CSV in UTC.")
        {
            start,
            end,
            from,
            to,
        };
        command.SetAction(parse =>
        {
            var first = CliParsing.ParseDate(Either(parse, start, from), "--start");
            var last = CliParsing.ParseDate(Either(parse, end, to), "--end");
            foreach (var (date, flag) in new[] { (first, "--start"), (last, "--end") })
            {
                if (date < NyseCalendar.FirstSupportedDate || date > NyseCalendar.LastSupportedDate)
                {
                    throw new CliException($"{flag} {date:yyyy-MM-dd} is outside the NYSE calendar; use dates from " +
                        $"{NyseCalendar.FirstSupportedDate:yyyy-MM-dd} to {NyseCalendar.LastSupportedDate:yyyy-MM-dd}.");
                }
            }

            if (first > last)
            {
                throw new CliException($"--start {first:yyyy-MM-dd} is after --end {last:yyyy-MM-dd}; swap them.");
            }

            var calendar = NyseCalendar.Instance;
            stdout.WriteLine(Header);
            foreach (var s in calendar.GetSessions(first, last))
            {
                stdout.WriteLine(string.Join(',',
                    s.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    Iso(s.PremarketOpenUtc), Iso(s.OpenUtc), Iso(s.CloseUtc), Iso(s.AfterHoursCloseUtc)));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The value of <paramref name="visible"/>, or of its hidden alias; one of them is required.</summary>
    private static string Either(ParseResult parse, Option<string?> visible, Option<string?> alias) =>
        parse.GetValue(visible) ?? parse.GetValue(alias)
        ?? throw new CliException($"{visible.Name} is required, e.g. calendar --start 2024-01-01 --end 2024-12-31.");

    private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
