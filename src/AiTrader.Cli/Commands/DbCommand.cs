using System.CommandLine;
using AiTrader.Storage;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader db migrate</c>: brings every store's schema up to the version this build knows (the service
/// does the same when it starts). SQLite files in AITRADER_DATA_DIR by default, PostgreSQL when DATABASE_URL is set.</summary>
public static class DbCommand
{
    public static Command Create(AppSettings settings, TextWriter stdout, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var env = environment ?? Environment.GetEnvironmentVariable;
        var json = JsonFlag.Create("each store's name, location, version and the steps applied now");
        var migrate = new Command("migrate", "Apply the missing schema steps of every store (journal, API keys, jobs, snapshot catalog, watchlists on PostgreSQL) and list each store's version.") { json };
        migrate.SetAction(async (parse, ct) =>
        {
            IReadOnlyList<MigrationReport> reports;
            try
            {
                reports = await PlatformDatabase.MigrateAsync(env(SnapshotCatalogFactory.DatabaseUrlVariable), settings.DataDir, ct);
            }
            catch (System.Data.Common.DbException ex)
            {
                throw DatabaseErrors.Explain(ex);
            }
            catch (SchemaNewerThanBuildException ex)
            {
                throw new CliException(ex.Message);
            }

            if (parse.GetValue(json))
            {
                await JsonFlag.WriteArrayAsync(stdout, reports, (w, r) =>
                {
                    w.WriteString("store", r.Store);
                    w.WriteString("location", r.Location);
                    w.WriteNumber("version", r.Version);
                    w.WriteStartArray("applied");
                    foreach (var step in r.Applied)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("version", step.Version);
                        w.WriteString("description", step.Description);
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                });
                return ExitCodes.Ok;
            }

            // One line per store, never wrapped: scripts and logs read it.
            foreach (var r in reports)
            {
                var what = r.Applied.Count == 0 ? "up to date" : "applied " + string.Join("; ", r.Applied.Select(s => $"{s.Version} {s.Description}"));
                await stdout.WriteLineAsync($"{r.Store,-16} v{r.Version}  {what}  ({r.Location})");
            }

            var applied = reports.Sum(r => r.Applied.Count);
            await stdout.WriteLineAsync(applied == 0 ? "every store is up to date" : $"applied {applied} schema step(s)");
            return ExitCodes.Ok;
        });
        return new Command("db", "The platform database: `db migrate` applies the schema steps.") { migrate };
    }
}
