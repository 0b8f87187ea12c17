using System.CommandLine;
using System.Globalization;
using AiTrader.Application;
using AiTrader.Application.Security;
using AiTrader.Storage;
using AiTrader.Storage.Security;
using Spectre.Console;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader apikey create|list|revoke</c>: the keys the service (<c>aitrader serve</c>) accepts. Stored
/// hashed (SHA-256) in SQLite under AITRADER_DATA_DIR, or in PostgreSQL when DATABASE_URL is set.</summary>
public static class ApiKeyCommand
{
    public static Command Create(AppSettings settings, TextWriter stdout, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var env = environment ?? Environment.GetEnvironmentVariable;
        IApiKeyStore Open() => ApiKeyStoreFactory.Create(env(SnapshotCatalogFactory.DatabaseUrlVariable), settings.DataDir);

        var name = new Option<string>("--name") { Description = "What the key is for, e.g. dashboard or tradingview; `aitrader apikey list` shows it.", Required = true };
        var role = new Option<string>("--role")
        {
            Description = "Role: read (reads everything) or trader (may also submit and cancel jobs and sessions, build watchlists, engage or release the kill switch and reset halts).",
            DefaultValueFactory = _ => "read",
        };
        var create = new Command("create", "Create a key and print it once (only its hash is stored).") { name, role };
        create.SetAction(async (parse, ct) =>
        {
            var roleText = parse.GetValue(role);
            if (!ApiKeyRoles.TryParse(roleText, out var parsedRole))
            {
                throw new CliException($"--role '{roleText}' is not a role; use {string.Join(" or ", ApiKeyRoles.Names)}.");
            }

            await using var store = Open();
            var (info, key) = await store.CreateAsync(parse.GetValue(name)!, parsedRole, ct);
            await stdout.WriteLineAsync(key);
            await parse.InvocationConfiguration.Error.WriteLineAsync(
                $"created {info.Role.ToText()} key {info.Id} ({info.Name}) in {store}; the key is shown only now, store it safely");
            return ExitCodes.Ok;
        });

        var json = JsonFlag.Create($"the keys ({string.Join(", ", ApiKeyListJson.Fields)}), as GET /api/keys lists them");
        var list = new Command("list", "List the keys (id, name, role, created, revoked, last used by the service); never the keys themselves.") { json };
        list.SetAction(async (parse, ct) =>
        {
            await using var store = Open();
            var keys = await store.ListAsync(ct);
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(ApiKeyListJson.Write(keys));
                return ExitCodes.Ok;
            }

            if (keys.Count == 0)
            {
                await stdout.WriteLineAsync($"No API keys in {store}; create one with `aitrader apikey create --name NAME`.");
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("id", "name", "role", "created (UTC)", "revoked (UTC)", "last used (UTC)");
            foreach (var k in keys)
            {
                table.AddRow(k.Id, Markup.Escape(k.Name), k.Role.ToText(), Format(k.CreatedUtc), k.RevokedUtc is { } r ? Format(r) : "",
                    k.LastUsedUtc is { } u ? Format(u) : "never");
            }

            // The CLI's console: piped output is never wrapped (Spectre's own folded the created time at 80 columns).
            CliConsole.Create(stdout).Write(table);
            return ExitCodes.Ok;
        });

        var id = new Argument<string>("id") { Description = "The key's id, as `aitrader apikey list` shows it." };
        var revoke = new Command("revoke", "Revoke a key: the service refuses it from then on.") { id };
        revoke.SetAction(async (parse, ct) =>
        {
            var keyId = parse.GetValue(id)!;
            await using var store = Open();
            if (!await store.RevokeAsync(keyId, ct))
            {
                throw new CliException($"no unrevoked API key with id '{keyId}' in {store}; see `aitrader apikey list`.");
            }

            await stdout.WriteLineAsync($"revoked {keyId.Trim().ToLowerInvariant()}");
            return ExitCodes.Ok;
        });

        return new Command("apikey", "Manage the API keys of the service: create, list, revoke.") { create, list, revoke };
    }

    /// <summary>A time the store read back (UTC, whatever its kind says), marked UTC so JSON writes it with its Z.</summary>
    private static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
