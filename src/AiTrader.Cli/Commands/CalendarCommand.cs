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
        var from = new Option<string>("--from") { Description = "First date (YYYY-MM-DD, New York), inclusive.", Required = true };
        var to = new Option<string>("--to") { Description = "Last date (YYYY-MM-DD, New York), inclusive.", Required = true };
        var command = new Command("calendar", "Print NYSE trading sessions (holidays and early closes applied) as CSV in UTC.")
        {
            from,
            to,
        };
        command.SetAction(parse =>
        {
            var first = CliParsing.ParseDate(parse.GetValue(from)!, "--from");
            var last = CliParsing.ParseDate(parse.GetValue(to)!, "--to");
            if (first > last)
            {
                throw new CliException($"--from {first:yyyy-MM-dd} is after --to {last:yyyy-MM-dd}; swap them.");
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

    private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
